/**
 * @module @kiln/split
 * The split tool container of the Fashion-MNIST example. Serve `dist/tool.js` with
 * `kiln serve`; these exports are its parts, for reuse and tests.
 */
export { SPLIT_PARAMETERS_SCHEMA, type SplitParameters } from './split-parameters.js';
export { splitIndices, type SplitIndices, type SplitInput } from './stratified-split.js';
export { writeRows } from './gather-rows.js';
export { buildSplit } from './split-build.js';
