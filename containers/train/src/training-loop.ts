import type { LayersModel, Scalar, Tensor } from '@tensorflow/tfjs';
import {
  fillBatch,
  rowRange,
  seededRandom,
  shuffleInPlace,
  type InMemorySet,
  type Random,
  type Tf,
} from '@kiln/fashion-mnist';
import {
  LearningRateSchedule,
  learningRateAt,
  type LearningRateOptions,
} from './learning-rate-schedule.js';

/** The figures of one epoch. */
export interface EpochResult {
  /** 1-based. */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The rate of the epoch's last step. */
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
  /** Adam's peak rate. */
  learningRate: number;
  /** @defaultValue `learningRate` (constant) */
  finalLearningRate?: number;
  /** @defaultValue `'exponential'` */
  schedule?: LearningRateSchedule;
  /** @defaultValue 0 */
  warmupEpochs?: number;
  /** Share of each target moved evenly onto all classes (0 = hard one-hot targets). @defaultValue 0 */
  labelSmoothing?: number;
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
  /**
   * CPU seconds this process spent over the whole run (validation included): on a shared
   * machine, what the training costs when wall time does not say.
   */
  cpuSeconds: number;
}

const YIELD_EVERY = 16;
const EVAL_BATCH = 1024;

function crossEntropy(tf: Tf, target: Tensor, probs: Tensor): Scalar {
  const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(clipped)), -1))) as Scalar;
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
      // One pass over the batch: predict() would cut it into batches of 32 by default.
      const probs = model.predict(tf.tensor(x.subarray(0, n * set.rowLength), [n, ...inputShape]), {
        batchSize: n,
      }) as Tensor;
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

/** One run's mutable training state, shared by its epochs. */
interface Trainer {
  options: TrainLoopOptions;
  optimizer: ReturnType<Tf['train']['adam']>;
  schedule: LearningRateOptions;
  random: Random;
  order: Uint32Array;
  x: Float32Array;
  y: Int32Array;
}

/** Sums over one epoch, read from the backend once, and the rate of its last step. */
interface EpochSums {
  loss: number;
  correct: number;
  rate: number;
}

/**
 * One optimiser step on the first `n` rows of the trainer's batch buffers. Returns the running
 * sums of loss (× rows) and hits with this batch's added, still on the backend.
 */
function trainStep(trainer: Trainer, n: number, sums: [Tensor, Tensor]): [Tensor, Tensor] {
  const { tf, model, train, inputShape, classCount } = trainer.options;
  const smoothing = trainer.options.labelSmoothing ?? 0;
  return tf.tidy(() => {
    const xs = tf.tensor(trainer.x.subarray(0, n * train.rowLength), [n, ...inputShape]);
    const labels = tf.tensor1d(trainer.y.subarray(0, n), 'int32');
    const oneHot = tf.oneHot(labels, classCount);
    const target =
      smoothing > 0 ? tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / classCount) : oneHot;
    // Kept tensors outlive every tidy(): they are disposed by hand below.
    const kept: Tensor[] = [];
    const cost = trainer.optimizer.minimize(() => {
      const probs = model.apply(xs, { training: true }) as Tensor;
      kept.push(tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32'))));
      // The reported loss is against the true labels, like val_loss, even when the objective
      // is against smoothed ones.
      if (smoothing > 0) kept.push(tf.keep(crossEntropy(tf, oneHot, probs)));
      return crossEntropy(tf, target, probs);
    }, true) as Scalar;
    const [correct, trueLoss] = kept as [Tensor, Tensor | undefined];
    const next: [Tensor, Tensor] = [
      tf.add(sums[0], tf.mul(trueLoss ?? cost, n)),
      tf.add(sums[1], correct),
    ];
    tf.dispose(kept);
    return next;
  });
}

/** Trains one epoch. */
async function runEpoch(trainer: Trainer, epoch: number): Promise<EpochSums> {
  const { options, optimizer, order } = trainer;
  const { tf, train, batchSize, epochs } = options;
  const batches = Math.ceil(train.count / batchSize);
  shuffleInPlace(order, trainer.random);
  let sums: [Tensor, Tensor] = [tf.scalar(0), tf.scalar(0)];
  let rate = 0;
  for (let b = 0; b < batches; b++) {
    rate = learningRateAt(trainer.schedule, epoch, b / batches);
    // Adam reads its rate at every step; the field is not public in the typings.
    (optimizer as unknown as { learningRate: number }).learningRate = rate;
    const rows = order.subarray(b * batchSize, Math.min(train.count, (b + 1) * batchSize));
    const next = trainStep(trainer, fillBatch(train, rows, trainer.x, trainer.y), sums);
    tf.dispose(sums);
    sums = next;
    if (b % YIELD_EVERY === YIELD_EVERY - 1) {
      await new Promise((done) => setImmediate(done));
      options.signal.throwIfAborted();
      options.onProgress((epoch + (b + 1) / batches) / epochs, `epoch ${epoch + 1}/${epochs}`);
    }
  }
  const [loss, correct] = await Promise.all(sums.map(async (t) => (await t.data())[0] ?? 0));
  tf.dispose(sums);
  return { loss: loss ?? 0, correct: correct ?? 0, rate };
}

async function validate(trainer: Trainer, result: EpochResult): Promise<void> {
  const { validation } = trainer.options;
  if (!validation) return;
  const v = await evaluate(trainer.options, validation);
  result.valLoss = v.loss;
  result.valAccuracy = v.accuracy;
}

/**
 * Trains with Adam and categorical cross-entropy in a hand-written loop: batches are cut and
 * normalised in JavaScript (no gather kernels), losses and hits stay on the backend until the
 * epoch ends (one read an epoch), and the loop yields to the event loop every few batches so a
 * cancel arrives. The rate follows {@link learningRateAt} step by step. Calls `onEpoch` with
 * the epoch's figures.
 */
export async function trainModel(options: TrainLoopOptions): Promise<TrainResult> {
  const { tf, train, epochs, batchSize } = options;
  const trainer: Trainer = {
    options,
    optimizer: tf.train.adam(options.learningRate),
    schedule: {
      schedule: options.schedule ?? LearningRateSchedule.Exponential,
      first: options.learningRate,
      last: options.finalLearningRate ?? options.learningRate,
      epochs,
      warmupEpochs: options.warmupEpochs ?? 0,
    },
    random: seededRandom(options.seed),
    order: Uint32Array.from({ length: train.count }, (_, i) => i),
    x: new Float32Array(batchSize * train.rowLength),
    y: new Int32Array(batchSize),
  };
  const history: EpochResult[] = [];
  let trainSeconds = 0;
  const cpuAtStart = process.cpuUsage();
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const started = performance.now();
      const sums = await runEpoch(trainer, epoch);
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const result: EpochResult = {
        epoch: epoch + 1,
        loss: sums.loss / train.count,
        accuracy: sums.correct / train.count,
        learningRate: sums.rate,
        seconds,
        samplesPerSecond: train.count / seconds,
      };
      await validate(trainer, result);
      history.push(result);
      options.onEpoch(result);
      options.signal.throwIfAborted();
    }
  } finally {
    trainer.optimizer.dispose();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    history,
    samplesPerSecond: (train.count * epochs) / trainSeconds,
    trainSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
