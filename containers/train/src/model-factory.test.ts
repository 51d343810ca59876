import { loadTensorFlow } from '@kiln/fashion-mnist';
import { describe, expect, it } from 'vitest';
import { buildModel, imageDims } from './model-factory.js';

describe('buildModel', () => {
  const base = {
    inputShape: [28, 28, 1],
    classCount: 10,
    hiddenUnits: [32, 16],
    dropout: 0.1,
    seed: 1,
  };

  it('builds the dense, linear and conv networks with a softmax output', async () => {
    const { tf } = await loadTensorFlow('cpu');
    const dense = buildModel(tf, { ...base, architecture: 'dense' });
    expect(dense.countParams()).toBe(784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
    expect(dense.layers.map((l) => l.getClassName())).toEqual([
      'Flatten',
      'Dense',
      'Dropout',
      'Dense',
      'Dropout',
      'Dense',
    ]);
    const linear = buildModel(tf, { ...base, architecture: 'linear' });
    expect(linear.countParams()).toBe(7850);
    const conv = buildModel(tf, { ...base, inputShape: [784], architecture: 'conv' });
    expect(conv.layers[0]?.getClassName()).toBe('Reshape');
    const out = tf.tidy(() =>
      (conv.predict(tf.zeros([2, 784])) as import('@tensorflow/tfjs').Tensor).sum(-1).arraySync(),
    );
    expect((out as number[]).map((v) => Number(v.toFixed(4)))).toEqual([1, 1]);
  });

  it('builds dense and linear networks on flat input (a layout "flat" export), without Flatten', async () => {
    const { tf } = await loadTensorFlow('cpu');
    const dense = buildModel(tf, { ...base, inputShape: [784], architecture: 'dense' });
    expect(dense.layers.map((l) => l.getClassName())).toEqual([
      'Dense',
      'Dropout',
      'Dense',
      'Dropout',
      'Dense',
    ]);
    expect(dense.countParams()).toBe(784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
    const linear = buildModel(tf, { ...base, inputShape: [784], architecture: 'linear' });
    expect(linear.countParams()).toBe(7850);
    const out = tf.tidy(
      () => (linear.predict(tf.zeros([3, 784])) as import('@tensorflow/tfjs').Tensor).shape,
    );
    expect(out).toEqual([3, 10]);
  });

  it('derives image dimensions from any input shape', () => {
    expect(imageDims([28, 28, 1])).toEqual([28, 28, 1]);
    expect(imageDims([28, 28])).toEqual([28, 28, 1]);
    expect(imageDims([784])).toEqual([28, 28, 1]);
  });
});
