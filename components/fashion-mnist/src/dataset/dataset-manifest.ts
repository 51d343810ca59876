import type { Affine } from './affine.js';

/** The `format` of every manifest the Fashion-MNIST tools write. */
export const DATASET_FORMAT = 'kiln-fashion-mnist/v1';

/** The manifest's file name at the root of an artifact's data. */
export const MANIFEST_FILE = 'manifest.json';

/** Element types of the tensor files. Files are raw little-endian arrays, no header. */
export const TensorDtype = { Uint8: 'uint8', Uint32: 'uint32', Float32: 'float32' } as const;
export type TensorDtype = (typeof TensorDtype)[keyof typeof TensorDtype];

/** Bytes of one element of each dtype. */
export const DTYPE_BYTES: Record<TensorDtype, number> = { uint8: 1, uint32: 4, float32: 4 };

/** Which tool wrote a dataset. */
export const DatasetStage = {
  Import: 'import',
  Process: 'process',
  Export: 'export',
  Split: 'split',
} as const;
export type DatasetStage = (typeof DatasetStage)[keyof typeof DatasetStage];

/** How a dataset's images are normalised for the network. */
export const NormalizationMethod = {
  /** Raw pixels 0-255. */
  None: 'none',
  /** `pixel / 255`, in [0, 1]. */
  Unit: 'unit',
  /** `(pixel / 255 - mean) / std` with the training set's mean and standard deviation. */
  Standard: 'standard',
} as const;
export type NormalizationMethod = (typeof NormalizationMethod)[keyof typeof NormalizationMethod];

/** One raw binary file of the artifact and its shape. */
export interface TensorFile {
  /** Path relative to the artifact's data root. */
  file: string;
  dtype: TensorDtype;
  /** Dimension sizes, outermost first. */
  shape: number[];
}

/** The images of a set: `encoding` says how the stored values relate to the raw pixels. */
export interface ImageTensorFile extends TensorFile {
  encoding: Affine;
}

/** One set of a dataset (`train`, `validation`, `test`). */
export interface DatasetSet {
  count: number;
  /** `[count, ...imageShape]`. */
  images: ImageTensorFile;
  /** `uint8 [count]`: the class index of each image. */
  labels: TensorFile;
  /** `float32 [count, classes]`, when the export asked for one-hot labels. */
  oneHot?: TensorFile;
  /**
   * `uint32 [count]`, on an augmented training set: the row of the original image each row was
   * made from. Originals come first, so row `i` is an original exactly when `origins[i] === i`.
   * Split keeps every copy on the same side as its original, so no augmented copy of a
   * validation image leaks into training.
   */
  origins?: TensorFile;
  /** Images per class, indexed by label. */
  classCounts: number[];
}

/** The normalisation the network's input expects: `input = pixel * scale + offset`. */
export interface Normalization extends Affine {
  method: NormalizationMethod;
  /** Mean of `pixel / 255` over the training set (method `standard`). */
  mean?: number;
  /** Standard deviation of `pixel / 255` over the training set (method `standard`). */
  std?: number;
}

/**
 * `manifest.json` of a dataset artifact written by import, process, export or split: one format
 * through the whole data pipeline, so each tool reads what any earlier one wrote.
 */
export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  stage: DatasetStage;
  /** Class names, indexed by label. */
  classes: string[];
  /** Shape of one image: `[28, 28]` (import, process) or `[28, 28, 1]` / `[784]` (export). */
  imageShape: number[];
  normalization: Normalization;
  /** The sets, by name. */
  sets: Record<string, DatasetSet>;
  /** Stage-specific details: where the data came from, the augmentation, the split's seed. */
  provenance: Record<string, unknown>;
}
