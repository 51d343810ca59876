/**
 * The messages between the server and a model process (`child/model-child-entry.ts`), BullMQ's
 * `cmd` discriminator with a type for each payload. They travel with Node's `advanced`
 * serialization, so typed arrays cross as bytes rather than JSON.
 */
import type { LatencyFigures, ModelSignature } from '@kiln/api';

/** The TensorFlow.js backend a model process asks for (`loadTensorFlow`'s choices). */
export type BackendName = 'auto' | 'native' | 'wasm' | 'cpu';

/** What a model process loads. */
export interface LoadRequest {
  /** A folder with the train container's `model.json` and `weights.bin`. */
  modelDir: string;
  backend: BackendName;
  /** The largest batch the process will be sent, warmed up once before it reports ready. */
  warmupBatchSize: number;
}

/** What a loaded model is. */
export interface LoadedModelInfo {
  signature: ModelSignature;
  /** The backend that loaded (`wasm`, `cpu`, `tensorflow`). */
  backend: string;
  parameterCount: number;
}

/** An error that crossed from the model process. Match on `code`, never on the text. */
export interface ChildError {
  code: string;
  message: string;
}

/** Accuracy on a labelled set. */
export interface EvaluationResult {
  correct: number;
  count: number;
}

/** The model's speed inside its process. */
export interface BenchmarkResult {
  latency: LatencyFigures;
  samplesPerSecond: number;
  batchSize: number;
}

export type ParentToChild =
  | { cmd: 'load'; request: LoadRequest }
  /** `pixels`: `count` images of raw grey values 0–255, row-major, flat. */
  | { cmd: 'predict'; id: number; pixels: Float32Array; count: number }
  | { cmd: 'evaluate'; id: number; datasetDir: string; set: string; batchSize: number }
  | { cmd: 'benchmark'; id: number; runs: number; batchSize: number };

export type ChildToParent =
  | { cmd: 'loaded'; model: LoadedModelInfo }
  | { cmd: 'load-failed'; error: ChildError }
  /** `probabilities`: `count × classes`, row-major. */
  | { cmd: 'predicted'; id: number; probabilities: Float32Array }
  | { cmd: 'evaluated'; id: number; result: EvaluationResult }
  | { cmd: 'benchmarked'; id: number; result: BenchmarkResult }
  | { cmd: 'failed'; id: number; error: ChildError };
