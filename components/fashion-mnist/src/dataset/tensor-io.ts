import { endianness } from 'node:os';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetError } from '../util/dataset-error.js';
import { DTYPE_BYTES, type TensorDtype, type TensorFile } from './dataset-manifest.js';

/** The typed array of each dtype. */
export interface TensorArrays {
  uint8: Uint8Array;
  uint32: Uint32Array;
  float32: Float32Array;
}
export type TensorArray = TensorArrays[TensorDtype];

/** Bytes a tensor file of this shape and dtype holds. */
export function tensorBytes(spec: Pick<TensorFile, 'dtype' | 'shape'>): number {
  return spec.shape.reduce((product, size) => product * size, DTYPE_BYTES[spec.dtype]);
}

/** Elements per row (everything but the outermost dimension). */
export function rowLength(shape: readonly number[]): number {
  return shape.slice(1).reduce((product, size) => product * size, 1);
}

function assertLittleEndian(): void {
  // Tensor files are little-endian and read as native typed arrays.
  if (endianness() !== 'LE') throw new Error('tensor files need a little-endian machine');
}

/**
 * Reads a tensor file of `dir` whole into a typed array, checking its size against its shape.
 */
export async function readTensorFile<D extends TensorDtype>(
  dir: string,
  spec: TensorFile & { dtype: D },
): Promise<TensorArrays[D]> {
  assertLittleEndian();
  const bytes = await readFile(join(dir, spec.file));
  const expected = tensorBytes(spec);
  if (bytes.length !== expected) {
    throw datasetError(
      `${spec.file}: holds ${bytes.length} bytes but its manifest declares ${spec.dtype} ${spec.shape.join('x')} (${expected} bytes)`,
    );
  }
  return asTypedArray(bytes, spec.dtype) as TensorArrays[D];
}

function asTypedArray(bytes: Buffer, dtype: TensorDtype): TensorArray {
  if (dtype === 'uint8') return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const size = DTYPE_BYTES[dtype];
  // A typed array view needs an aligned offset; copy the rare unaligned buffer.
  const aligned = bytes.byteOffset % size === 0 ? bytes : Buffer.from(bytes);
  const length = aligned.length / size;
  return dtype === 'float32'
    ? new Float32Array(aligned.buffer, aligned.byteOffset, length)
    : new Uint32Array(aligned.buffer, aligned.byteOffset, length);
}

/** Writes a typed array as a raw little-endian tensor file. */
export async function writeTensorFile(path: string, data: TensorArray): Promise<void> {
  assertLittleEndian();
  await writeFile(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Checks that a tensor file exists with the size its shape declares. */
export async function checkTensorFile(dir: string, spec: TensorFile): Promise<void> {
  const expected = tensorBytes(spec);
  const size = await stat(join(dir, spec.file)).then(
    (s) => s.size,
    () => null,
  );
  if (size === null)
    throw datasetError(`the dataset's manifest names ${spec.file}, which is missing`);
  if (size !== expected) {
    throw datasetError(
      `${spec.file}: holds ${size} bytes but its manifest declares ${spec.dtype} ${spec.shape.join('x')} (${expected} bytes)`,
    );
  }
}
