import { defineTool } from '@kiln/core';
import { buildExport } from './export-build.js';
import { EXPORT_PARAMETERS_SCHEMA, type ExportParameters } from './export-parameters.js';

/** The export tool: network-ready tensors as raw binary files plus a manifest. */
export default defineTool<ExportParameters>({
  name: 'export',
  version: '1.0.0',
  description:
    'Tensors ready for the network: images as raw float32 (normalised) or uint8 files in NHWC or flat layout, labels (indices, optionally one-hot), and a manifest of shapes, dtypes and classes',
  artifactType: 'tensors',
  parameters: EXPORT_PARAMETERS_SCHEMA,
  build: buildExport,
});
