import { defineTool } from '@kiln/core';
import { buildTrain } from './train-build.js';
import { TRAIN_PARAMETERS_SCHEMA, type TrainParameters } from './train-parameters.js';

/**
 * The train tool: a TensorFlow.js classifier on the fastest backend that loads. TensorFlow.js
 * is imported inside the build, never here: the server process imports this module too.
 */
export default defineTool<TrainParameters>({
  name: 'train',
  version: '1.0.0',
  description:
    'Trains a TensorFlow.js classifier (dense, linear softmax regression, or conv with a native backend) on the fastest backend that loads, streaming loss, accuracy, val_loss and val_accuracy per epoch; saves model.json + weights.bin',
  artifactType: 'model',
  parameters: TRAIN_PARAMETERS_SCHEMA,
  build: buildTrain,
});
