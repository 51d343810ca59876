import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from '@kiln/fashion-mnist';
import type { Architecture } from './train-parameters.js';

/** What {@link buildModel} needs. */
export interface ModelOptions {
  architecture: Architecture;
  /** Shape of one input image, as the dataset stores it (`[28, 28, 1]`, `[28, 28]`, `[784]`). */
  inputShape: number[];
  classCount: number;
  hiddenUnits: number[];
  dropout: number;
  seed: number;
}

/** `[h, w, 1]` for an image shape, for the convolutional network. */
export function imageDims(inputShape: number[]): [number, number, number] {
  if (inputShape.length === 3) return inputShape as [number, number, number];
  if (inputShape.length === 2) return [inputShape[0] as number, inputShape[1] as number, 1];
  const side = Math.round(Math.sqrt(inputShape[0] ?? 0));
  return [side, side, 1];
}

/**
 * Builds the network. Every architecture ends in a softmax over the classes, so the saved model
 * outputs class probabilities.
 * - `linear`: flatten → dense(softmax): softmax regression.
 * - `dense`: flatten → [dense(ReLU) → dropout] per hidden layer → dense(softmax).
 * (No flatten when the input is flat already.)
 * - `conv`: conv 32 3x3 → max-pool → conv 64 3x3 → max-pool → flatten → dense(ReLU) →
 *   dropout → dense(softmax).
 */
export function buildModel(tf: Tf, options: ModelOptions): LayersModel {
  const { inputShape, classCount, dropout } = options;
  let seed = options.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const model = tf.sequential();
  if (options.architecture === 'conv') {
    model.add(tf.layers.reshape({ targetShape: imageDims(inputShape), inputShape }));
    model.add(
      tf.layers.conv2d({
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(
      tf.layers.conv2d({
        filters: 64,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(
      tf.layers.dense({
        units: options.hiddenUnits[0] ?? 128,
        activation: 'relu',
        kernelInitializer: init(),
      }),
    );
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed++ }));
  } else {
    // Flatten refuses input that is flat already (a `layout: "flat"` export): the first dense
    // layer then takes the input shape itself.
    let first: { inputShape?: number[] } = { inputShape };
    if (inputShape.length > 1) {
      model.add(tf.layers.flatten(first));
      first = {};
    }
    const hidden = options.architecture === 'dense' ? options.hiddenUnits : [];
    for (const units of hidden) {
      model.add(
        tf.layers.dense({ ...first, units, activation: 'relu', kernelInitializer: init() }),
      );
      first = {};
      if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed++ }));
    }
    model.add(
      tf.layers.dense({
        ...first,
        units: classCount,
        activation: 'softmax',
        kernelInitializer: init(),
      }),
    );
    return model;
  }
  model.add(
    tf.layers.dense({ units: classCount, activation: 'softmax', kernelInitializer: init() }),
  );
  return model;
}
