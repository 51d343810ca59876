import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IDX_FILE_NAMES,
  countClasses,
  datasetError,
  formatShape,
  readIdxFile,
  type DatasetSet,
  type TensorFile,
} from '@kiln/fashion-mnist';

/** Labelled examples to add to a training set: raw grey pixels and class indices. */
export interface ExtraExamples {
  count: number;
  /** `count × pixelsPerImage` raw pixels 0–255. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The path of a role's IDX file in `dir`, gzipped or not. */
async function idxFile(dir: string, role: 'train-images' | 'train-labels'): Promise<string> {
  const base = IDX_FILE_NAMES[role];
  const files = await readdir(dir);
  const found = [`${base}.gz`, base].find((name) => files.includes(name));
  if (!found) throw datasetError(`extra: the artifact has no ${base}[.gz]`);
  return join(dir, found);
}

/**
 * Reads the training examples of a labelled-dataset artifact (the serving container's snapshots
 * of feedback, or any folder of IDX files the import container reads): its
 * `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`, gzipped or not. The images must have
 * `pixelsPerImage` pixels and the labels lie below `classCount`.
 */
export async function readExtraExamples(
  dir: string,
  pixelsPerImage: number,
  classCount: number,
): Promise<ExtraExamples> {
  const images = await readIdxFile(await idxFile(dir, 'train-images'), 'extra train-images');
  const labels = await readIdxFile(await idxFile(dir, 'train-labels'), 'extra train-labels');
  const [count = 0, rows = 0, cols = 0] = images.header.shape;
  if (images.header.shape.length !== 3 || rows * cols !== pixelsPerImage) {
    throw datasetError(
      `extra train-images: ${formatShape(images.header.shape)} images, but the dataset's are of ${pixelsPerImage} pixels`,
    );
  }
  if (labels.header.shape.length !== 1 || labels.header.shape[0] !== count) {
    throw datasetError(
      `extra: ${count} images but ${formatShape(labels.header.shape)} labels; they must match one to one`,
    );
  }
  const bad = labels.data.findIndex((label) => label >= classCount);
  if (bad >= 0) {
    throw datasetError(
      `extra train-labels: label ${labels.data[bad]} at index ${bad} is outside 0-${classCount - 1}`,
    );
  }
  return { count, pixels: new Uint8Array(images.data), labels: new Uint8Array(labels.data) };
}

/** A tensor file spec with `more` rows. */
function grown(spec: TensorFile, more: number): TensorFile {
  return { ...spec, shape: [(spec.shape[0] ?? 0) + more, ...spec.shape.slice(1)] };
}

/**
 * Appends `copies` copies of the extra examples to a written training side: its images (stored
 * as the side stores them: the pixels through its encoding), labels and one-hot labels, and
 * returns the side's manifest entry with the new counts.
 */
export async function appendExtraExamples(
  outputDir: string,
  side: DatasetSet,
  extra: ExtraExamples,
  copies: number,
  classCount: number,
): Promise<DatasetSet> {
  const more = extra.count * copies;
  if (more === 0) return side;
  const { images } = side;
  const { scale, offset } = images.encoding;
  let stored: Uint8Array | Float32Array;
  if (images.dtype === 'uint8') {
    if (scale !== 1 || offset !== 0) {
      throw datasetError('extra: uint8 images that are not raw pixels cannot take extra examples');
    }
    stored = extra.pixels;
  } else if (images.dtype === 'float32') {
    stored = Float32Array.from(extra.pixels, (pixel) => pixel * scale + offset);
  } else {
    throw datasetError(`extra: images of dtype ${images.dtype} cannot take extra examples`);
  }
  const bytes = (array: Uint8Array | Float32Array): Uint8Array =>
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const oneHot = new Float32Array(extra.count * classCount);
  extra.labels.forEach((label, i) => (oneHot[i * classCount + label] = 1));
  for (let copy = 0; copy < copies; copy++) {
    await appendFile(join(outputDir, images.file), bytes(stored));
    await appendFile(join(outputDir, side.labels.file), extra.labels);
    if (side.oneHot) await appendFile(join(outputDir, side.oneHot.file), bytes(oneHot));
  }
  const labels = new Uint8Array(more);
  for (let copy = 0; copy < copies; copy++) labels.set(extra.labels, copy * extra.count);
  const added = countClasses(labels, side.classCounts.length);
  const result: DatasetSet = {
    count: side.count + more,
    images: { ...grown(images, more), encoding: images.encoding },
    labels: grown(side.labels, more),
    classCounts: side.classCounts.map((n, c) => n + (added[c] ?? 0)),
  };
  if (side.oneHot) result.oneHot = grown(side.oneHot, more);
  return result;
}
