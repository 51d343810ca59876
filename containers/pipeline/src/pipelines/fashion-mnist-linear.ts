/**
 * The baseline pipeline: the same task and the same import, process, export and split steps
 * as `fashion-mnist` (so, with the cache, the same artifacts), then a softmax regression
 * (`architecture: linear`). Compare its figures with the dense pipeline's (docs/pipelines.md).
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

const properties = fashionMnistProperties({
  epochs: 20,
  learningRate: 0.002,
  // Softmax regression underfits: smoothing its targets cost it 0.8 points of accuracy.
  labelSmoothing: 0,
});

export default definePipeline<FashionMnistParameters>({
  name: 'fashion-mnist-linear',
  version: '1.0.0',
  description:
    'Fashion-MNIST baseline: the same data steps as fashion-mnist, then a softmax regression (no hidden layer) → benchmark',
  task: FASHION_MNIST_TASK,
  containers: FASHION_MNIST_CONTAINERS,
  expectedSteps: fashionMnistSteps,
  parameters: {
    type: 'object',
    additionalProperties: false,
    properties: { ...properties, variants: variantsProperty(properties) },
  },
  run: (p) => runFashionMnist(p, { architecture: 'linear' }),
});
