import { loadTensorFlow, type InMemorySet } from '@kiln/fashion-mnist';
import { tinyImages } from '@kiln/fashion-mnist/testing';
import { describe, expect, it } from 'vitest';
import { buildModel } from './model-factory.js';
import { learningRateAt, trainModel } from './training-loop.js';

/** An in-memory set of tiny synthetic 12x12 images, normalised to [0, 1]. */
function tinyImagesSet(count: number): InMemorySet {
  const { images, labels } = tinyImages(count, 12, 5);
  return { count, rowLength: 144, values: images, labels, map: { scale: 1 / 255, offset: 0 } };
}

describe('learningRateAt', () => {
  it('decays exponentially from the first to the last rate', () => {
    expect(learningRateAt(0, 5, 1e-3, 1e-5)).toBeCloseTo(1e-3);
    expect(learningRateAt(2, 5, 1e-3, 1e-5)).toBeCloseTo(1e-4);
    expect(learningRateAt(4, 5, 1e-3, 1e-5)).toBeCloseTo(1e-5);
  });

  it('is constant without a last rate or with one epoch', () => {
    expect(learningRateAt(3, 5, 0.01)).toBe(0.01);
    expect(learningRateAt(0, 1, 0.01, 0.001)).toBe(0.01);
  });
});

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
