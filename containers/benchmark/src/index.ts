/**
 * @module @kiln/benchmark
 * The benchmark tool container of the Fashion-MNIST example. Serve `dist/tool.js` with
 * `kiln serve`; these exports are its parts, for reuse and tests.
 */
export { BENCHMARK_PARAMETERS_SCHEMA, type BenchmarkParameters } from './benchmark-parameters.js';
export {
  classificationMetrics,
  type ClassMetrics,
  type ClassificationMetrics,
} from './classification-metrics.js';
export { summarizeTimings, type TimingSummary } from './timing.js';
export {
  predictSet,
  timeSingleImages,
  type InferenceOptions,
  type SetPredictions,
} from './model-inference.js';
export { BENCHMARK_FILE, buildBenchmark } from './benchmark-build.js';
