import { defineTool } from '@kiln/core';
import { SYSTEM_DATASET_DIR } from '@kiln/fashion-mnist';
import { buildImport } from './import-build.js';
import {
  IMPORT_INPUT_FILES,
  IMPORT_PARAMETERS_SCHEMA,
  type ImportParameters,
} from './import-parameters.js';

// This module is the container's entry, so it may read the environment (docs/writing-containers.md).
const systemDir = process.env['FASHION_MNIST_DIR'] || SYSTEM_DATASET_DIR;

/** The import tool: Fashion-MNIST IDX archives → a standardized dataset artifact. */
export default defineTool<ImportParameters>({
  name: 'import',
  version: '1.0.0',
  description:
    'Imports Fashion-MNIST IDX files (gzipped or not) from the bundled subset, the system dataset, a local path, a URL or an upload; checks magic numbers, sizes and counts; stores uint8 images, labels and a manifest',
  artifactType: 'dataset',
  parameters: IMPORT_PARAMETERS_SCHEMA,
  inputFiles: IMPORT_INPUT_FILES,
  build: (ctx) => buildImport(ctx, { systemDir }),
});
