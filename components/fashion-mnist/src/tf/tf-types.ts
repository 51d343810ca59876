import type * as tfjs from '@tensorflow/tfjs';

/**
 * The TensorFlow.js namespace a backend loader returns: `@tensorflow/tfjs` itself, or
 * `@tensorflow/tfjs-node(-gpu)`, which re-exports it with the native backend registered.
 */
export type Tf = typeof tfjs;
