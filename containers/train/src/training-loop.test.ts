import type { Tensor } from '@tensorflow/tfjs';
import { loadTensorFlow, type InMemorySet } from '@kiln/fashion-mnist';
import { tinyImages } from '@kiln/fashion-mnist/testing';
import { describe, expect, it } from 'vitest';
import { buildModel } from './model-factory.js';
import { trainModel } from './training-loop.js';

/** An in-memory set of tiny synthetic 12x12 images, normalised to [0, 1]. */
function tinyImagesSet(count: number): InMemorySet {
  const { images, labels } = tinyImages(count, 12, 5);
  return { count, rowLength: 144, values: images, labels, map: { scale: 1 / 255, offset: 0 } };
}

describe('trainModel', () => {
  it('trains the conv network where convolution gradients exist (cpu backend) and reports each epoch', async () => {
    const { tf } = await loadTensorFlow('cpu');
    const train = tinyImagesSet(16);
    const model = buildModel(tf, {
      architecture: 'conv',
      inputShape: [12, 12, 1],
      classCount: 10,
      hiddenUnits: [16],
      dropout: 0,
      seed: 1,
    });
    const epochs: number[] = [];
    const result = await trainModel({
      tf,
      model,
      train,
      validation: tinyImagesSet(4),
      inputShape: [12, 12, 1],
      classCount: 10,
      epochs: 2,
      batchSize: 8,
      learningRate: 0.001,
      seed: 1,
      signal: new AbortController().signal,
      onEpoch: (r) => epochs.push(r.epoch),
      onProgress: () => {},
    });
    expect(epochs).toEqual([1, 2]);
    expect(Number.isFinite(result.history[1]?.loss)).toBe(true);
    expect(result.history[1]?.valAccuracy).toBeGreaterThanOrEqual(0);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('trainModel with label smoothing', () => {
  /**
   * Trains a small dense network on wasm; returns its history (validated on the training set
   * when asked) and, after training, its accuracy and mean top probability on that set.
   */
  async function run(options: {
    labelSmoothing: number;
    learningRate: number;
    epochs: number;
    validate: boolean;
  }) {
    const { tf } = await loadTensorFlow('wasm');
    const train = tinyImagesSet(60);
    const model = buildModel(tf, {
      architecture: 'dense',
      inputShape: [12, 12, 1],
      classCount: 10,
      hiddenUnits: [16],
      dropout: 0,
      seed: 1,
    });
    try {
      const { validate, ...rest } = options;
      const result = await trainModel({
        tf,
        model,
        train,
        validation: validate ? train : undefined,
        inputShape: [12, 12, 1],
        classCount: 10,
        batchSize: 60,
        seed: 1,
        signal: new AbortController().signal,
        onEpoch: () => {},
        onProgress: () => {},
        ...rest,
      });
      const [accuracy, meanTop] = tf.tidy(() => {
        const input = tf.tensor(
          Float32Array.from(train.values, (v) => v / 255),
          [60, 12, 12, 1],
        );
        const probs = model.predict(input) as Tensor;
        const hits = tf.equal(tf.argMax(probs, -1), tf.tensor1d(train.labels, 'int32'));
        return [tf.mean(tf.cast(hits, 'float32')), tf.mean(tf.max(probs, -1))].map(
          (t) => t.dataSync()[0] ?? NaN,
        );
      });
      return { history: result.history, accuracy, meanTop };
    } finally {
      model.dispose();
    }
  }

  it('reports the loss against the true labels, whatever the smoothing', async () => {
    // A rate so small the weights do not move: both runs see the same network.
    const still = { learningRate: 1e-9, epochs: 1, validate: true };
    const hard = await run({ ...still, labelSmoothing: 0 });
    const smooth = await run({ ...still, labelSmoothing: 0.3 });
    expect(smooth.history[0]?.loss).toBeCloseTo(hard.history[0]?.loss ?? NaN, 4);
    expect(smooth.history[0]?.loss).toBeCloseTo(smooth.history[0]?.valLoss ?? NaN, 4);
  });

  it('trains less confident predictions than hard targets do', async () => {
    const learn = { learningRate: 0.03, epochs: 150, validate: false };
    const hard = await run({ ...learn, labelSmoothing: 0 });
    const smooth = await run({ ...learn, labelSmoothing: 0.3 });
    expect(hard.accuracy).toBe(1);
    expect(smooth.accuracy).toBe(1);
    expect(hard.meanTop).toBeGreaterThan(0.95);
    // Smoothing 0.3 over 10 classes makes 0.73 the target of the true class.
    expect(smooth.meanTop).toBeGreaterThan(0.5);
    expect(smooth.meanTop).toBeLessThan(0.8);
  });
});
