import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { fillBatch, rowRange, type InMemorySet, type Tf } from '@kiln/fashion-mnist';

/** What {@link predictSet} and {@link timeSingleImages} need. */
export interface InferenceOptions {
  tf: Tf;
  model: LayersModel;
  set: InMemorySet;
  inputShape: number[];
  signal: AbortSignal;
}

/** Predicted classes and the time each batch took. */
export interface SetPredictions {
  predictions: Int32Array;
  /** Milliseconds of each batch: tensor creation, prediction and reading the result. */
  batchMs: number[];
}

function predictRows(
  options: InferenceOptions,
  rows: Uint32Array,
  x: Float32Array,
  y: Int32Array,
): Int32Array {
  const { tf, model, set, inputShape } = options;
  const n = fillBatch(set, rows, x, y);
  return tf.tidy(() => {
    const input = tf.tensor(x.subarray(0, n * set.rowLength), [n, ...inputShape]);
    // One pass for the whole batch: predict() would otherwise cut it into pieces of 32.
    const probabilities = model.predict(input, { batchSize: n }) as Tensor;
    return (tf.argMax(probabilities, -1) as Tensor).dataSync() as Int32Array;
  });
}

/**
 * Predicts every image of the set in batches, timing each batch end to end (the result is read
 * back, so the time includes the computation on any backend).
 */
export async function predictSet(
  options: InferenceOptions,
  batchSize: number,
  onProgress: (fraction: number) => void,
): Promise<SetPredictions> {
  const { set } = options;
  const x = new Float32Array(batchSize * set.rowLength);
  const y = new Int32Array(batchSize);
  predictRows(options, rowRange(set, 0, Math.min(batchSize, set.count)), x, y); // warm-up
  const predictions = new Int32Array(set.count);
  const batchMs: number[] = [];
  for (let start = 0; start < set.count; start += batchSize) {
    const rows = rowRange(set, start, batchSize);
    const began = performance.now();
    predictions.set(predictRows(options, rows, x, y), start);
    batchMs.push(performance.now() - began);
    await new Promise((done) => setImmediate(done));
    options.signal.throwIfAborted();
    onProgress((start + rows.length) / set.count);
  }
  return { predictions, batchMs };
}

/** Times `runs` single-image predictions (the latency of one request), cycling through the set. */
export async function timeSingleImages(options: InferenceOptions, runs: number): Promise<number[]> {
  const { set } = options;
  const x = new Float32Array(set.rowLength);
  const y = new Int32Array(1);
  const times: number[] = [];
  if (set.count === 0) return times;
  predictRows(options, rowRange(set, 0, 1), x, y); // warm-up
  for (let i = 0; i < runs; i++) {
    const began = performance.now();
    predictRows(options, rowRange(set, i % set.count, 1), x, y);
    times.push(performance.now() - began);
    if (i % 50 === 49) {
      await new Promise((done) => setImmediate(done));
      options.signal.throwIfAborted();
    }
  }
  return times;
}
