/**
 * @module @kiln/process
 * The process tool container of the Fashion-MNIST example. Serve `dist/tool.js` with
 * `kiln serve`; these exports are its parts, for reuse and tests.
 */
export { PROCESS_PARAMETERS_SCHEMA, type ProcessParameters } from './process-parameters.js';
export { randomTransform, transformImage, type ImageTransform } from './augment.js';
export { writeAugmentedSet, type AugmentSetOptions } from './augment-set.js';
export { normalizationFor, pixelStatistics } from './normalization.js';
export { buildProcess } from './process-build.js';
