import { defineTool } from '@kiln/core';
import { buildBenchmark } from './benchmark-build.js';
import { BENCHMARK_PARAMETERS_SCHEMA, type BenchmarkParameters } from './benchmark-parameters.js';

/**
 * The benchmark tool: evaluates a trained model on the test set. TensorFlow.js is imported
 * inside the build, never here: the server process imports this module too.
 */
export default defineTool<BenchmarkParameters>({
  name: 'benchmark',
  version: '1.0.0',
  description:
    'Evaluates a trained model on the test set: accuracy, per-class precision, recall and F1, confusion matrix, batch and single-image latency, throughput and the TensorFlow.js backend used',
  artifactType: 'benchmark',
  parameters: BENCHMARK_PARAMETERS_SCHEMA,
  build: buildBenchmark,
});
