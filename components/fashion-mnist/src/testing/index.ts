/**
 * @module @kiln/fashion-mnist/testing
 * Helpers for the Fashion-MNIST containers' tests and benchmark: tiny synthetic IDX files and
 * a harness that serves built tool modules through real core on loopback.
 */
export { tinyImages, writeTinyFashionMnist, type TinyDatasetOptions } from './tiny-dataset.js';
export {
  HttpStatusError,
  artifactUrl,
  buildArtifact,
  createArtifact,
  createArtifactWithFiles,
  getJson,
  startTool,
  waitForArtifact,
  type ToolHandle,
} from './tool-harness.js';
