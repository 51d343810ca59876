import { defineTool } from '@kiln/core';
import { buildSplit } from './split-build.js';
import { SPLIT_PARAMETERS_SCHEMA, type SplitParameters } from './split-parameters.js';

/** The split tool: a seeded, stratified train/validation split. */
export default defineTool<SplitParameters>({
  name: 'split',
  version: '1.0.0',
  description:
    'Seeded, stratified train/validation split of a Fashion-MNIST dataset (export, process or import artifact); augmented copies stay with their original',
  artifactType: 'dataset-split',
  parameters: SPLIT_PARAMETERS_SCHEMA,
  build: buildSplit,
});
