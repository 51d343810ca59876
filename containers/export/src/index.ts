/**
 * @module @kiln/export
 * The export tool container of the Fashion-MNIST example. Serve `dist/tool.js` with
 * `kiln serve`; these exports are its parts, for reuse and tests.
 */
export {
  EXPORT_PARAMETERS_SCHEMA,
  ExportDtype,
  ExportLayout,
  type ExportParameters,
} from './export-parameters.js';
export { convertImages, type ConvertImagesOptions } from './convert-images.js';
export { oneHot } from './one-hot.js';
export { buildExport } from './export-build.js';
