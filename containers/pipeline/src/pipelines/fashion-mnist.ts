/**
 * The example pipeline: Fashion-MNIST with a dense network. Serve it with
 * `node base/cli/dist/main.js serve containers/pipeline/dist/pipelines/fashion-mnist.js`;
 * its containers are the compose services of the same names, found through the topology
 * `kiln serve` reads from `KILN_COMPOSE_FILE` (docs/pipelines.md).
 */
import { definePipeline } from '@kiln/pipeline';
import { fashionMnistSteps, runFashionMnist } from './fashion-mnist-run.js';
import {
  FASHION_MNIST_CONTAINERS,
  FASHION_MNIST_TASK,
  fashionMnistProperties,
  variantsProperty,
  type FashionMnistParameters,
} from './fashion-mnist-task.js';

/** The dense pipeline's parameters: the shared ones plus the network's shape. */
export interface FashionMnistDenseParameters extends FashionMnistParameters {
  architecture: 'dense' | 'conv';
  hiddenUnits: number[];
  dropout: number;
}

/** The network's parameters: the dense pipeline's own, which its variants may set too. */
const MODEL_PROPERTIES = {
  architecture: {
    enum: ['dense', 'conv'],
    default: 'dense',
    description:
      '"dense" trains on every backend; "conv" needs a native TensorFlow.js backend in the train container',
  },
  hiddenUnits: {
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: 4096 },
    maxItems: 8,
    default: [256, 128],
    description: 'Units of each hidden layer (conv: of its dense layer, first entry)',
  },
  dropout: {
    type: 'number',
    minimum: 0,
    maximum: 0.9,
    default: 0,
    description: 'Dropout after each hidden layer',
  },
};

const properties = {
  ...fashionMnistProperties({ epochs: 20, learningRate: 0.002, labelSmoothing: 0.1 }),
  ...MODEL_PROPERTIES,
};

export default definePipeline<FashionMnistDenseParameters>({
  name: 'fashion-mnist',
  version: '1.0.0',
  description:
    'Fashion-MNIST, end to end: import → process → export → split → train (a dense network) → benchmark',
  task: FASHION_MNIST_TASK,
  containers: FASHION_MNIST_CONTAINERS,
  expectedSteps: fashionMnistSteps,
  parameters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...properties,
      variants: variantsProperty(properties, Object.keys(MODEL_PROPERTIES)),
    },
  },
  run: (p) =>
    runFashionMnist(p, {
      architecture: p.parameters.architecture,
      hiddenUnits: p.parameters.hiddenUnits,
      dropout: p.parameters.dropout,
    }),
});
