import { defineTool } from '@kiln/core';
import { buildProcess } from './process-build.js';
import { PROCESS_PARAMETERS_SCHEMA, type ProcessParameters } from './process-parameters.js';

/** The process tool: a normalised, optionally augmented view of an imported dataset. */
export default defineTool<ProcessParameters>({
  name: 'process',
  version: '1.0.0',
  description:
    'Preprocessed view of an imported Fashion-MNIST dataset: normalisation (unit, standard, none) and optional augmentation of the training set (flips, shifts)',
  artifactType: 'dataset',
  parameters: PROCESS_PARAMETERS_SCHEMA,
  build: buildProcess,
});
