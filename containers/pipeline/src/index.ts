/**
 * @module @kiln/example-pipelines
 * The example project's pipelines, each a module served by `kiln serve`
 * (`dist/pipelines/fashion-mnist.js`, `dist/pipelines/fashion-mnist-linear.js`), and the
 * Fashion-MNIST task they share.
 */
export { default as fashionMnist } from './pipelines/fashion-mnist.js';
export { default as fashionMnistLinear } from './pipelines/fashion-mnist-linear.js';
export {
  FASHION_MNIST_TASK,
  FASHION_MNIST_CONTAINERS,
  type FashionMnistParameters,
  type FashionMnistVariant,
} from './pipelines/fashion-mnist-task.js';
