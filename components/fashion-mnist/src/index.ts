/**
 * @module @kiln/fashion-mnist
 * Shared code of the Fashion-MNIST example containers (import, process, export, split, train,
 * benchmark): streaming IDX reading and writing, the dataset manifest and tensor files every
 * data tool reads and writes, seeded randomness, the bundled data subset, and TensorFlow.js
 * helpers (backend loading, model files). TensorFlow.js is only ever imported dynamically,
 * inside functions, so importing this module stays cheap.
 */
export {
  IDX_DATA_TYPES,
  checkIdxMagic,
  encodeIdxHeader,
  formatShape,
  parseIdxHeader,
  type IdxHeader,
} from './idx/idx-header.js';
export { decompressed } from './idx/decompress.js';
export {
  readIdxFile,
  readIdxStream,
  type IdxFile,
  type IdxStreamOptions,
} from './idx/idx-reader.js';
export { encodeIdx, writeIdxFile, type WriteIdxOptions } from './idx/idx-writer.js';
export { FASHION_MNIST_CLASSES, IMAGE_SIZE } from './dataset/classes.js';
export {
  IDENTITY_AFFINE,
  affineBetween,
  applyAffine,
  sameAffine,
  type Affine,
} from './dataset/affine.js';
export {
  DATASET_FORMAT,
  DTYPE_BYTES,
  DatasetStage,
  MANIFEST_FILE,
  NormalizationMethod,
  TensorDtype,
  type DatasetManifest,
  type DatasetSet,
  type ImageTensorFile,
  type Normalization,
  type TensorFile,
} from './dataset/dataset-manifest.js';
export {
  checkTensorFile,
  readTensorFile,
  rowLength,
  tensorBytes,
  writeTensorFile,
  type TensorArray,
  type TensorArrays,
} from './dataset/tensor-io.js';
export {
  countClasses,
  readDatasetManifest,
  requireSet,
  writeDatasetManifest,
} from './dataset/dataset-io.js';
export { fillBatch, loadInMemorySet, rowRange, type InMemorySet } from './dataset/in-memory-set.js';
export {
  BUNDLED_DATASET_DIR,
  IDX_FILE_NAMES,
  IDX_ROLES,
  IdxRole,
  SYSTEM_DATASET_DIR,
  findIdxFiles,
  hasIdxFiles,
} from './dataset/data-paths.js';
export { randomInt, seededRandom, shuffleInPlace, type Random } from './util/seeded-random.js';
export { datasetError } from './util/dataset-error.js';
export type { Tf } from './tf/tf-types.js';
export { BackendChoice, loadTensorFlow, type LoadedTensorFlow } from './tf/load-backend.js';
export { installWasmMatMulFix } from './tf/wasm-matmul-fix.js';
export {
  MODEL_JSON_FILE,
  WEIGHTS_FILE,
  loadLayersModel,
  saveLayersModel,
  type LoadedModel,
} from './tf/model-files.js';
