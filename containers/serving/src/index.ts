/**
 * @module @kiln/serving
 * The serving container: model versions and aliases in SQLite, one process per loaded version,
 * hot swap, dynamic batching, the Open Inference Protocol (V2, REST) and image prediction.
 * Run `dist/main.js`; these exports start it in code and are its parts, for reuse and tests.
 */
export { startServingServer, SERVING_VERSION } from './start-serving-server.js';
export {
  resolveServingOptions,
  type ResolvedServingOptions,
  type RunningServingServer,
  type ServingOptions,
} from './serving-options.js';
export { parseWatchList } from './watch/watch-list.js';
export type { PipelineWatch } from './watch/pipeline-watch.js';
export { Batcher, type BatchingOptions, type RunBatch } from './workers/batcher.js';
export { decodePgm, isPgm, type GreyImage } from './inference/pgm-decoder.js';
export { decodeImage } from './inference/image-input.js';
export { parseInferRequest, INPUT_NAME, OUTPUT_NAME } from './inference/oip-request.js';
export type { BackendName } from './protocol.js';
