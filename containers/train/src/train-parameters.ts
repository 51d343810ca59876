import type { JsonSchema } from '@kiln/api';
import type { BackendChoice } from '@kiln/fashion-mnist';
import { LearningRateSchedule } from './learning-rate-schedule.js';

/** The network the train tool builds. */
export const Architecture = {
  /** Fully connected hidden layers (ReLU, optional dropout): trains on every backend. */
  Dense: 'dense',
  /** Softmax regression, no hidden layer: the baseline. */
  Linear: 'linear',
  /** Two convolution + pooling blocks, then a dense layer: needs a native backend. */
  Conv: 'conv',
} as const;
export type Architecture = (typeof Architecture)[keyof typeof Architecture];

/** The train tool's parameters, after validation and defaults. */
export interface TrainParameters {
  /** URL of a split artifact (train + validation) or any dataset artifact with a `train` set. */
  dataset: string;
  architecture: Architecture;
  hiddenUnits: number[];
  dropout: number;
  epochs: number;
  batchSize: number;
  /** Adam's peak learning rate (after the warm-up). */
  learningRate: number;
  /** Learning rate at the end of the run, reached by `learningRateSchedule`. */
  finalLearningRate: number;
  learningRateSchedule: LearningRateSchedule;
  /** Epochs of linear warm-up from a tenth of `learningRate`. */
  warmupEpochs: number;
  /** Share of each one-hot target spread evenly over all classes. */
  labelSmoothing: number;
  seed: number;
  backend: BackendChoice;
}

/**
 * Defaults shared by the schema and the docs, chosen by validation accuracy on the full
 * Fashion-MNIST within the example's time budget (docs/example-containers.md, "Benchmark").
 */
export const TRAIN_DEFAULTS = {
  architecture: Architecture.Dense,
  hiddenUnits: [256, 128],
  dropout: 0,
  epochs: 20,
  batchSize: 256,
  learningRate: 0.002,
  finalLearningRate: 0.00001,
  learningRateSchedule: LearningRateSchedule.Cosine,
  warmupEpochs: 1,
  labelSmoothing: 0.1,
  seed: 1,
  backend: 'auto',
} as const;

/** JSON Schema 2020-12 of the parameters. */
export const TRAIN_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    dataset: {
      type: 'string',
      format: 'kiln-artifact',
      description:
        'URL of a completed split artifact (its validation set gives val_loss and val_accuracy); an export, process or import artifact works too (training set only)',
    },
    architecture: {
      enum: Object.values(Architecture),
      default: TRAIN_DEFAULTS.architecture,
      description:
        '"dense" (hidden layers, trains on wasm), "linear" (softmax regression baseline) or "conv" (needs @tensorflow/tfjs-node or -gpu)',
    },
    hiddenUnits: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 4096 },
      maxItems: 8,
      default: [...TRAIN_DEFAULTS.hiddenUnits],
      description:
        'Units of each hidden layer of the dense network (conv: of its dense layer, first entry)',
    },
    dropout: {
      type: 'number',
      minimum: 0,
      maximum: 0.9,
      default: TRAIN_DEFAULTS.dropout,
      description: 'Dropout rate after each hidden layer (dense, conv)',
    },
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: TRAIN_DEFAULTS.epochs },
    batchSize: { type: 'integer', minimum: 1, maximum: 65536, default: TRAIN_DEFAULTS.batchSize },
    learningRate: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10,
      default: TRAIN_DEFAULTS.learningRate,
      description: "Adam's peak learning rate, reached at the end of the warm-up",
    },
    finalLearningRate: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10,
      default: TRAIN_DEFAULTS.finalLearningRate,
      description:
        'Learning rate at the end of the run; equal to learningRate for a constant rate after the warm-up',
    },
    learningRateSchedule: {
      enum: Object.values(LearningRateSchedule),
      default: TRAIN_DEFAULTS.learningRateSchedule,
      description:
        'How the rate goes from learningRate to finalLearningRate: "cosine" (half a cosine, step by step) or "exponential" (epoch by epoch)',
    },
    warmupEpochs: {
      type: 'number',
      minimum: 0,
      maximum: 1000,
      default: TRAIN_DEFAULTS.warmupEpochs,
      description:
        'Epochs (fractions allowed) over which the rate rises linearly from learningRate/10 to learningRate; 0 = none',
    },
    labelSmoothing: {
      type: 'number',
      minimum: 0,
      maximum: 0.5,
      default: TRAIN_DEFAULTS.labelSmoothing,
      description:
        'Share of each one-hot target spread evenly over all classes (0 = hard targets); the reported loss stays against the true labels',
    },
    seed: {
      type: 'integer',
      minimum: 0,
      default: TRAIN_DEFAULTS.seed,
      description: 'Seed of the initial weights and the shuffles',
    },
    backend: {
      enum: ['auto', 'native', 'wasm', 'cpu'],
      default: TRAIN_DEFAULTS.backend,
      description:
        'TensorFlow.js backend: "auto" takes the fastest that loads (tfjs-node-gpu, tfjs-node, wasm, cpu)',
    },
  },
};
