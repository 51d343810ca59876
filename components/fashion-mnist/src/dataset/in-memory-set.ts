import { affineBetween, type Affine } from './affine.js';
import type { DatasetSet } from './dataset-manifest.js';
import { readTensorFile, rowLength } from './tensor-io.js';

/** One set in memory, ready to be cut into normalised batches. */
export interface InMemorySet {
  count: number;
  /** Values of one image. */
  rowLength: number;
  /** Stored values: uint8 pixels or float32. */
  values: Uint8Array | Float32Array;
  labels: Uint8Array;
  /** Stored value → network input. */
  map: Affine;
}

/**
 * Reads a set of a dataset artifact into memory. uint8 data stays uint8 (4x smaller than
 * float32) and is normalised batch by batch with {@link fillBatch}.
 *
 * @param input - the normalisation the network expects (`input = pixel * scale + offset`).
 */
export async function loadInMemorySet(
  dir: string,
  set: DatasetSet,
  input: Affine,
): Promise<InMemorySet> {
  const values =
    set.images.dtype === 'uint8'
      ? await readTensorFile(dir, { ...set.images, dtype: 'uint8' })
      : await readTensorFile(dir, { ...set.images, dtype: 'float32' });
  const labels = await readTensorFile(dir, { ...set.labels, dtype: 'uint8' });
  return {
    count: set.count,
    rowLength: rowLength(set.images.shape),
    values,
    labels,
    map: affineBetween(set.images.encoding, input),
  };
}

/**
 * Copies the given rows, normalised, into `x` (rows × rowLength) and their labels into `y`.
 * @returns the number of rows copied.
 */
export function fillBatch(
  set: InMemorySet,
  rows: ArrayLike<number>,
  x: Float32Array,
  y: Int32Array,
): number {
  const { values, labels, rowLength: n, map } = set;
  const { scale, offset } = map;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k] as number;
    y[k] = labels[row] as number;
    const from = row * n;
    const to = k * n;
    for (let j = 0; j < n; j++) x[to + j] = (values[from + j] as number) * scale + offset;
  }
  return rows.length;
}

/** Rows `start` to `start + length - 1`, clipped to the set. */
export function rowRange(
  set: Pick<InMemorySet, 'count'>,
  start: number,
  length: number,
): Uint32Array {
  const n = Math.max(0, Math.min(length, set.count - start));
  return Uint32Array.from({ length: n }, (_, i) => start + i);
}
