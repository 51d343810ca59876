/**
 * The serving container's tool module: its artifacts are snapshots of the labels people gave a
 * model (`labelled-dataset`), in the IDX format the import container reads. The serving
 * container opens it with `openToolService` and serves its artifact API under `/artifacts`.
 */
import { LABELLED_DATASET } from '@kiln/api';
import { defineTool } from '@kiln/core';
import { buildSnapshot } from './snapshot-build.js';
import { SNAPSHOT_PARAMETERS_SCHEMA, type SnapshotParameters } from './snapshot-parameters.js';

export default defineTool<SnapshotParameters>({
  name: 'labelled-dataset',
  version: '1.0.0',
  description:
    "A snapshot of the labels people gave a model: the labels to train on and the held-out ones, as IDX files (train-*, t10k-*) the import container and a pipeline's extraTrainingData read",
  artifactType: LABELLED_DATASET,
  parameters: SNAPSHOT_PARAMETERS_SCHEMA,
  build: buildSnapshot,
});
