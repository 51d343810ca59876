/**
 * @module @kiln/train
 * The train tool container of the Fashion-MNIST example. Serve `dist/tool.js` with
 * `kiln serve`; these exports are its parts, for reuse and tests.
 */
export {
  Architecture,
  TRAIN_DEFAULTS,
  TRAIN_PARAMETERS_SCHEMA,
  type TrainParameters,
} from './train-parameters.js';
export { buildModel, imageDims, type ModelOptions } from './model-factory.js';
export {
  trainModel,
  type EpochResult,
  type TrainLoopOptions,
  type TrainResult,
} from './training-loop.js';
export {
  LearningRateSchedule,
  learningRateAt,
  type LearningRateOptions,
} from './learning-rate-schedule.js';
export { TRAINING_FILE, buildTrain } from './train-build.js';
