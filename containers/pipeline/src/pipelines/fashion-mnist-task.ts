import type { JsonSchema, TaskDescription } from '@kiln/api';
import type { ContainerSpec } from '@kiln/pipeline';

/**
 * The task both example pipelines solve: Fashion-MNIST classification. Two pipelines on one
 * task (a dense network and a softmax-regression baseline) can be compared run for run.
 */
export const FASHION_MNIST_TASK: TaskDescription = {
  name: 'org.kiln.fashion-mnist',
  description:
    'Classify 28x28 grey-scale images of clothing (Zalando Fashion-MNIST) into 10 classes: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot.',
  output:
    'A TensorFlow.js layers model (model.json + weights.bin) mapping one [28, 28, 1] image, normalised as recorded in its metadata, to 10 class probabilities; and a benchmark report.',
  constraints:
    'Trains on the CPU with the TensorFlow.js wasm backend (no native libraries, no GPU, no internet); a GPU image may use tfjs-node-gpu. The default run finishes in minutes on the bundled subset.',
  archives:
    'The four IDX files of Fashion-MNIST (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, gzipped or not; MIT licence): from /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist), a bundled 4,000 + 1,000 image subset, a path, a URL or an upload.',
  evaluation_criterias:
    'Top-1 accuracy on the test set (headline), with macro precision, recall and F1, the confusion matrix, throughput and single-image latency.',
  cost_function:
    'Categorical cross-entropy of the softmax outputs against the true class (a target smoothed by labelSmoothing in training), minimised with Adam under a warm-up and cosine learning-rate schedule.',
  evaluation_dataset:
    'The test set of the imported archive (10,000 images for the full dataset, 1,000 for the bundled subset), never used for training or validation.',
};

/** The six containers, by compose service name. Both pipelines share them. */
export const FASHION_MNIST_CONTAINERS: Record<string, ContainerSpec> = {
  import: { category: 'data', description: 'Imports Fashion-MNIST IDX archives' },
  process: { category: 'data', description: 'Normalises and augments the images' },
  export: { category: 'data', description: 'Exports the images as tensors' },
  split: { category: 'data', description: 'Splits training and validation sets' },
  train: { category: 'model', description: 'Trains a TensorFlow.js classifier' },
  benchmark: { category: 'benchmark', description: 'Evaluates a model on the test set' },
};

/** The parameters every Fashion-MNIST run takes, whatever its model. */
export interface FashionMnistParameters {
  source: 'auto' | 'bundled' | 'system' | 'path' | 'url';
  path?: string;
  url?: string;
  trainLimit?: number;
  testLimit?: number;
  normalization: 'unit' | 'standard' | 'none';
  augmentationCopies: number;
  validationFraction: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  labelSmoothing: number;
  seed: number;
  backend: 'auto' | 'native' | 'wasm' | 'cpu';
  latencyRuns: number;
  /** A sweep: one training and benchmark per variant, from the same data steps. */
  variants?: FashionMnistVariant[];
}

/**
 * One variant of a sweep: a name, and the training parameters it sets instead of the run's.
 * The dense pipeline's variants may also set the network (`architecture`, `hiddenUnits`,
 * `dropout`).
 */
export interface FashionMnistVariant {
  name: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  architecture?: 'dense' | 'conv';
  hiddenUnits?: number[];
  dropout?: number;
}

/** The training parameters a variant may set, taken from the run's own. */
const VARIANT_TRAINING = ['epochs', 'batchSize', 'learningRate', 'labelSmoothing', 'seed'] as const;

/**
 * The `variants` parameter: a list of named variants, each setting some of the run's training
 * parameters (`extra` adds the model's: architecture, hidden units, dropout). Their schemas are
 * the run's own without defaults, so a variant changes only what it names.
 */
export function variantsProperty(
  properties: Record<string, JsonSchema>,
  extra: readonly string[] = [],
): JsonSchema {
  const settable = [...VARIANT_TRAINING, ...extra];
  return {
    type: 'array',
    minItems: 1,
    maxItems: 16,
    description:
      `A parameter sweep: one train and benchmark step per variant, all from the same data steps, compared by test accuracy. ` +
      `Each variant is {"name", …} with any of ${settable.join(', ')} in place of the run's. The seed of a variant seeds its training only.`,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: {
          type: 'string',
          pattern: '^[A-Za-z][A-Za-z0-9._-]{0,39}$',
          description: 'Names its steps (train-<name>, benchmark-<name>); unique in the sweep',
        },
        ...Object.fromEntries(
          settable.map((name) => {
            const { default: _default, ...schema } = properties[name] ?? {};
            return [name, schema];
          }),
        ),
      },
    },
  };
}

/**
 * The properties of {@link FashionMnistParameters} as JSON Schema, with their defaults. The
 * data steps' defaults are shared, so that both pipelines' runs share those artifacts through
 * the cache; the training ones are each pipeline's own.
 */
export function fashionMnistProperties(defaults: {
  epochs: number;
  learningRate: number;
  labelSmoothing: number;
}): Record<string, JsonSchema> {
  return {
    source: {
      enum: ['auto', 'bundled', 'system', 'path', 'url'],
      default: 'auto',
      description:
        'Where import reads the IDX files: "auto" (the system dataset if installed, else the bundled subset), "bundled", "system", "path" or "url"',
    },
    path: {
      type: 'string',
      minLength: 1,
      description: 'source "path": a folder holding the four IDX files',
    },
    url: {
      type: 'string',
      format: 'uri',
      description: 'source "url": a base URL the four file names are appended to',
    },
    trainLimit: {
      type: 'integer',
      minimum: 1,
      description: 'Keep only the first N training images (all when absent)',
    },
    testLimit: {
      type: 'integer',
      minimum: 1,
      description: 'Keep only the first N test images (all when absent)',
    },
    normalization: {
      enum: ['unit', 'standard', 'none'],
      default: 'standard',
      description:
        'Network input: "unit" = pixel/255; "standard" = standardised with the training mean and std; "none" = raw',
    },
    augmentationCopies: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 0,
      description: 'Augmented copies (flips, shifts) of each training image; 0 = none',
    },
    validationFraction: {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      default: 0.1,
      description: 'Share of the training images held out for validation (stratified)',
    },
    epochs: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: defaults.epochs,
      description: 'Training epochs',
    },
    batchSize: {
      type: 'integer',
      minimum: 1,
      maximum: 65536,
      default: 256,
      description: 'Training batch size',
    },
    learningRate: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10,
      default: defaults.learningRate,
      description:
        "Adam's peak learning rate: a one-epoch warm-up from a tenth of it, then a cosine decay to 1e-5",
    },
    labelSmoothing: {
      type: 'number',
      minimum: 0,
      maximum: 0.5,
      default: defaults.labelSmoothing,
      description: 'Share of each one-hot training target spread over all classes (0 = none)',
    },
    seed: {
      type: 'integer',
      minimum: 0,
      default: 1,
      description: 'Seed of augmentation, split, initial weights and shuffles',
    },
    backend: {
      enum: ['auto', 'native', 'wasm', 'cpu'],
      default: 'auto',
      description:
        'TensorFlow.js backend of train and benchmark; "auto" takes the fastest that loads',
    },
    latencyRuns: {
      type: 'integer',
      minimum: 0,
      maximum: 100000,
      default: 200,
      description:
        'Single-image predictions the benchmark times for its latency figure (0 skips them)',
    },
  };
}
