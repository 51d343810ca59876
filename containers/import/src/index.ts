/**
 * @module @kiln/import
 * The import tool container of the Fashion-MNIST example. Serve `dist/tool.js` with
 * `kiln serve`; these exports are its parts, for reuse and tests.
 */
export {
  ImportSource,
  IMPORT_INPUT_FILES,
  IMPORT_PARAMETERS_SCHEMA,
  type ImportParameters,
} from './import-parameters.js';
export {
  resolveSources,
  type IdxSource,
  type ResolvedSources,
  type SourceContext,
} from './idx-sources.js';
export { importSet, type ImportSetOptions, type ImportedSet } from './idx-import.js';
export { buildImport, type ImportSettings } from './import-build.js';
