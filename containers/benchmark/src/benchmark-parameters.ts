import type { JsonSchema } from '@kiln/api';
import type { BackendChoice } from '@kiln/fashion-mnist';

/** The benchmark tool's parameters, after validation and defaults. */
export interface BenchmarkParameters {
  /** URL of a train artifact. */
  model: string;
  /** URL of an export (or import, process) artifact holding the set to evaluate. */
  dataset: string;
  set: string;
  batchSize: number;
  latencyRuns: number;
  backend: BackendChoice;
}

/** JSON Schema 2020-12 of the parameters. */
export const BENCHMARK_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'dataset'],
  properties: {
    model: {
      type: 'string',
      format: 'kiln-artifact',
      description: 'URL of a completed train artifact',
    },
    dataset: {
      type: 'string',
      format: 'kiln-artifact',
      description:
        'URL of a completed export artifact (import and process artifacts work too) holding the test set',
    },
    set: { type: 'string', minLength: 1, default: 'test', description: 'The set to evaluate' },
    batchSize: {
      type: 'integer',
      minimum: 1,
      maximum: 65536,
      default: 256,
      description: 'Batch size of the evaluation, and of the throughput and batch latency figures',
    },
    latencyRuns: {
      type: 'integer',
      minimum: 0,
      maximum: 100000,
      default: 200,
      description: 'Single-image predictions timed for the per-request latency (0 skips them)',
    },
    backend: {
      enum: ['auto', 'native', 'wasm', 'cpu'],
      default: 'auto',
      description: 'TensorFlow.js backend: "auto" takes the fastest that loads',
    },
  },
};
