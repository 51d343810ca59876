import { ErrorCode, KilnError } from '@kiln/api';
import {
  fillBatch,
  loadInMemorySet,
  loadLayersModel,
  loadTensorFlow,
  readDatasetManifest,
  requireSet,
  rowLength,
  type Tf,
} from '@kiln/fashion-mnist';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type {
  BenchmarkResult,
  ChildError,
  ChildToParent,
  EvaluationResult,
  LoadRequest,
  LoadedModelInfo,
  ParentToChild,
} from '../protocol.js';
import { readModelSignature } from './model-signature.js';

/** How a model runtime answers: `process.send` in a model process, a plain function in tests. */
export type ChildTransport = (message: ChildToParent) => void;

interface Loaded {
  tf: Tf;
  model: LayersModel;
  info: LoadedModelInfo;
  pixels: number;
}

function toChildError(error: unknown): ChildError {
  if (error instanceof KilnError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/**
 * What runs inside a model process: loads one version's model on the fastest TensorFlow.js
 * backend, warms it up, and answers predictions, evaluations and benchmarks. The transport is
 * injected (Vitest's `init-forks.ts` does the same), so this logic is tested without a fork.
 */
export class ModelRuntime {
  readonly #send: ChildTransport;
  #loaded: Loaded | null = null;

  constructor(send: ChildTransport) {
    this.#send = send;
  }

  /** Handles one message; never throws (failures are answered). */
  async handle(message: ParentToChild): Promise<void> {
    if (message.cmd === 'load') {
      try {
        this.#send({ cmd: 'loaded', model: await this.#load(message.request) });
      } catch (error) {
        this.#send({ cmd: 'load-failed', error: toChildError(error) });
      }
      return;
    }
    try {
      const loaded = this.#require();
      switch (message.cmd) {
        case 'predict':
          this.#send({
            cmd: 'predicted',
            id: message.id,
            probabilities: this.#predict(loaded, message.pixels, message.count),
          });
          return;
        case 'evaluate':
          this.#send({
            cmd: 'evaluated',
            id: message.id,
            result: await this.#evaluate(
              loaded,
              message.datasetDir,
              message.set,
              message.batchSize,
            ),
          });
          return;
        case 'benchmark':
          this.#send({
            cmd: 'benchmarked',
            id: message.id,
            result: this.#benchmark(loaded, message.runs, message.batchSize),
          });
          return;
      }
    } catch (error) {
      this.#send({ cmd: 'failed', id: message.id, error: toChildError(error) });
    }
  }

  async #load(request: LoadRequest): Promise<LoadedModelInfo> {
    if (this.#loaded) throw new Error('this process has a model loaded already');
    const loaded = await loadTensorFlow(request.backend);
    const { tf } = loaded;
    const { model, metadata } = await loadLayersModel(tf, request.modelDir, 'model');
    const output = model.outputs[0]?.shape.at(-1);
    const signature = readModelSignature(metadata, typeof output === 'number' ? output : 0);
    const pixels = signature.imageSize.height * signature.imageSize.width;
    const info = {
      signature,
      backend: loaded.backend,
      parameterCount: model.countParams(),
    };
    const state = { tf, model, info, pixels };
    // Warm-up: the first predictions of each batch size compile kernels and grow the heap.
    for (const size of new Set([1, Math.max(1, request.warmupBatchSize)])) {
      for (let i = 0; i < 3; i++) this.#predict(state, new Float32Array(size * pixels), size);
    }
    this.#loaded = state;
    return info;
  }

  #require(): Loaded {
    if (!this.#loaded) throw new Error('no model is loaded in this process');
    return this.#loaded;
  }

  /** Normalises raw pixels as the model's metadata says, in place, and predicts. */
  #predict(loaded: Loaded, pixels: Float32Array, count: number): Float32Array {
    const { tf, model, info } = loaded;
    if (pixels.length !== count * loaded.pixels) {
      throw new KilnError(
        ErrorCode.InvalidTensor,
        `expected ${count} images of ${loaded.pixels} pixels, got ${pixels.length} values`,
        { status: 400 },
      );
    }
    const { scale, offset } = info.signature.normalization;
    for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! * scale + offset;
    return tf.tidy(() => {
      const input = tf.tensor(pixels, [count, ...info.signature.inputShape]);
      return (model.predictOnBatch(input) as Tensor).dataSync() as Float32Array;
    });
  }

  async #evaluate(
    loaded: Loaded,
    datasetDir: string,
    setName: string,
    batchSize: number,
  ): Promise<EvaluationResult> {
    const { tf, model, info } = loaded;
    const manifest = await readDatasetManifest(datasetDir, 'evaluation');
    const setInfo = requireSet(manifest, setName, 'evaluation');
    if (rowLength(setInfo.images.shape) !== loaded.pixels) {
      throw new KilnError(
        ErrorCode.ValidationFailed,
        `the evaluation set's images are [${setInfo.images.shape.slice(1).join(', ')}] but the model takes [${info.signature.inputShape.join(', ')}]`,
        { status: 422 },
      );
    }
    const set = await loadInMemorySet(datasetDir, setInfo, info.signature.normalization);
    const x = new Float32Array(batchSize * set.rowLength);
    const y = new Int32Array(batchSize);
    let correct = 0;
    for (let start = 0; start < set.count; start += batchSize) {
      const rows = Uint32Array.from(
        { length: Math.min(batchSize, set.count - start) },
        (_, i) => start + i,
      );
      const n = fillBatch(set, rows, x, y);
      const predicted = tf.tidy(() => {
        const input = tf.tensor(x.subarray(0, n * set.rowLength), [
          n,
          ...info.signature.inputShape,
        ]);
        return tf.argMax(model.predict(input) as Tensor, -1).dataSync() as Int32Array;
      });
      for (let i = 0; i < n; i++) if (predicted[i] === y[i]) correct++;
    }
    return { correct, count: set.count };
  }

  #benchmark(loaded: Loaded, runs: number, batchSize: number): BenchmarkResult {
    const one = new Float32Array(loaded.pixels);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      one.fill(128);
      const began = performance.now();
      this.#predict(loaded, one, 1);
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    const batch = new Float32Array(batchSize * loaded.pixels);
    const rounds = Math.max(3, Math.ceil(runs / 4));
    const began = performance.now();
    for (let i = 0; i < rounds; i++) {
      batch.fill(128);
      this.#predict(loaded, batch, batchSize);
    }
    const seconds = (performance.now() - began) / 1000;
    return {
      latency: {
        p50Ms: percentile(times, 0.5),
        p99Ms: percentile(times, 0.99),
        meanMs: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
        runs: times.length,
      },
      samplesPerSecond: seconds > 0 ? (rounds * batchSize) / seconds : 0,
      batchSize,
    };
  }
}
