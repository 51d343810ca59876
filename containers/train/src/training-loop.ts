import type { LayersModel, Scalar, Tensor } from '@tensorflow/tfjs';
import {
  fillBatch,
  rowRange,
  seededRandom,
  shuffleInPlace,
  type InMemorySet,
  type Tf,
} from '@kiln/fashion-mnist';

/** The figures of one epoch. */
export interface EpochResult {
  /** 1-based. */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  learningRate: number;
  /** Seconds spent on training batches (validation excluded). */
  seconds: number;
  samplesPerSecond: number;
}

/** What {@link trainModel} needs. */
export interface TrainLoopOptions {
  tf: Tf;
  model: LayersModel;
  train: InMemorySet;
  validation?: InMemorySet;
  inputShape: number[];
  classCount: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate?: number;
  seed: number;
  signal: AbortSignal;
  onEpoch: (result: EpochResult) => void;
  onProgress: (fraction: number, message: string) => void;
}

/** The outcome of a training run. */
export interface TrainResult {
  history: EpochResult[];
  /** Training samples a second over all epochs (validation excluded). */
  samplesPerSecond: number;
  trainSeconds: number;
}

/** Learning rate of an epoch (0-based): exponential decay from `first` to `last`. */
export function learningRateAt(epoch: number, epochs: number, first: number, last = first): number {
  if (epochs <= 1) return first;
  return first * Math.pow(last / first, epoch / (epochs - 1));
}

const YIELD_EVERY = 16;
const EVAL_BATCH = 1024;

function crossEntropy(tf: Tf, oneHot: Tensor, probs: Tensor): Scalar {
  const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1))) as Scalar;
}

/** Sum of losses and count of correct predictions over a set, without training. */
async function evaluate(
  options: TrainLoopOptions,
  set: InMemorySet,
): Promise<{ loss: number; accuracy: number }> {
  const { tf, model, inputShape, classCount } = options;
  const x = new Float32Array(EVAL_BATCH * set.rowLength);
  const y = new Int32Array(EVAL_BATCH);
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += EVAL_BATCH) {
    const rows = rowRange(set, start, EVAL_BATCH);
    const n = fillBatch(set, rows, x, y);
    const [batchLoss, batchCorrect] = tf.tidy(() => {
      const labels = tf.tensor1d(y.subarray(0, n), 'int32');
      const probs = model.predict(
        tf.tensor(x.subarray(0, n * set.rowLength), [n, ...inputShape]),
      ) as Tensor;
      const l = tf.mul(crossEntropy(tf, tf.oneHot(labels, classCount), probs), n);
      const c = tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32'));
      return [l.dataSync()[0] ?? 0, c.dataSync()[0] ?? 0];
    });
    loss += batchLoss;
    correct += batchCorrect;
    await new Promise((done) => setImmediate(done));
    options.signal.throwIfAborted();
  }
  return { loss: loss / set.count, accuracy: correct / set.count };
}

/**
 * Trains with Adam and categorical cross-entropy in a hand-written loop: batches are cut and
 * normalised in JavaScript (no gather kernels), losses and hits stay on the backend until the
 * epoch ends (one read an epoch), and the loop yields to the event loop every few batches so a
 * cancel arrives. Calls `onEpoch` with the epoch's figures.
 */
export async function trainModel(options: TrainLoopOptions): Promise<TrainResult> {
  const { tf, model, train, inputShape, classCount, batchSize, epochs, signal } = options;
  const optimizer = tf.train.adam(options.learningRate);
  const random = seededRandom(options.seed);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  const x = new Float32Array(batchSize * train.rowLength);
  const y = new Int32Array(batchSize);
  const history: EpochResult[] = [];
  const batches = Math.ceil(train.count / batchSize);
  let trainSeconds = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const learningRate = learningRateAt(
      epoch,
      epochs,
      options.learningRate,
      options.finalLearningRate,
    );
    // Adam reads its rate at every step; the field is not public in the typings.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    shuffleInPlace(order, random);
    let lossSum: Tensor = tf.scalar(0);
    let correctSum: Tensor = tf.scalar(0);
    const started = performance.now();
    for (let b = 0; b < batches; b++) {
      const rows = order.subarray(b * batchSize, Math.min(train.count, (b + 1) * batchSize));
      const n = fillBatch(train, rows, x, y);
      const [nextLoss, nextCorrect] = tf.tidy(() => {
        const xs = tf.tensor(x.subarray(0, n * train.rowLength), [n, ...inputShape]);
        const labels = tf.tensor1d(y.subarray(0, n), 'int32');
        const oneHot = tf.oneHot(labels, classCount);
        let correct: Tensor = tf.scalar(0);
        const loss = optimizer.minimize(() => {
          const probs = model.apply(xs, { training: true }) as Tensor;
          correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32')));
          return crossEntropy(tf, oneHot, probs);
        }, true) as Scalar;
        return [tf.add(lossSum, tf.mul(loss, n)), tf.add(correctSum, correct)];
      });
      tf.dispose([lossSum, correctSum]);
      lossSum = nextLoss as Tensor;
      correctSum = nextCorrect as Tensor;
      if (b % YIELD_EVERY === YIELD_EVERY - 1) {
        await new Promise((done) => setImmediate(done));
        signal.throwIfAborted();
        options.onProgress((epoch + (b + 1) / batches) / epochs, `epoch ${epoch + 1}/${epochs}`);
      }
    }
    const loss = ((await lossSum.data())[0] ?? 0) / train.count;
    const accuracy = ((await correctSum.data())[0] ?? 0) / train.count;
    tf.dispose([lossSum, correctSum]);
    const seconds = (performance.now() - started) / 1000;
    trainSeconds += seconds;
    const result: EpochResult = {
      epoch: epoch + 1,
      loss,
      accuracy,
      learningRate,
      seconds,
      samplesPerSecond: train.count / seconds,
    };
    if (options.validation) {
      const v = await evaluate(options, options.validation);
      result.valLoss = v.loss;
      result.valAccuracy = v.accuracy;
    }
    history.push(result);
    options.onEpoch(result);
    signal.throwIfAborted();
  }
  optimizer.dispose();
  const samples = train.count * epochs;
  return { history, samplesPerSecond: samples / trainSeconds, trainSeconds };
}
