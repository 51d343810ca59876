import type { JsonSchema } from '@kiln/api';
import type { IdxRole } from '@kiln/fashion-mnist';

/** Where the import tool reads the four IDX files from. */
export const ImportSource = {
  /** The full dataset from the system folder when it is installed, else the bundled subset. */
  Auto: 'auto',
  /** The 4,000 + 1,000 image subset shipped with Kiln. */
  Bundled: 'bundled',
  /** The system folder (Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist). */
  System: 'system',
  /** A local folder (`path`) or local files (`files`). */
  Path: 'path',
  /** A base URL (`url`, the four published file names appended) or one URL a file (`files`). */
  Url: 'url',
  /** The four files uploaded as input files with the artifact's create request. */
  Upload: 'upload',
} as const;
export type ImportSource = (typeof ImportSource)[keyof typeof ImportSource];

/** The import tool's parameters, after validation and defaults. */
export interface ImportParameters {
  source: ImportSource;
  path?: string;
  url?: string;
  files?: Partial<Record<IdxRole, string>>;
  trainLimit?: number;
  testLimit?: number;
}

const fileProperty = (role: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description: `Path (source "path") or URL (source "url") of the ${role} IDX file, gzipped or not`,
});

/** JSON Schema 2020-12 of the parameters. */
export const IMPORT_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: {
      enum: Object.values(ImportSource),
      default: ImportSource.Auto,
      description:
        'Where the IDX files come from: "auto" (the full system dataset if installed, else the bundled subset), "bundled", "system", "path", "url" or "upload"',
    },
    path: {
      type: 'string',
      minLength: 1,
      description:
        'source "path": a folder holding the four files under their published names (train-images-idx3-ubyte[.gz], …)',
    },
    url: {
      type: 'string',
      format: 'uri',
      description: 'source "url": a base URL; the four published file names (.gz) are appended',
    },
    files: {
      type: 'object',
      additionalProperties: false,
      description:
        'source "path" or "url": one path or URL per file, instead of a folder or base URL',
      properties: {
        'train-images': fileProperty('training images'),
        'train-labels': fileProperty('training labels'),
        'test-images': fileProperty('test images'),
        'test-labels': fileProperty('test labels'),
      },
      required: ['train-images', 'train-labels', 'test-images', 'test-labels'],
    },
    trainLimit: {
      type: 'integer',
      minimum: 1,
      description: 'Keep only the first N training images (all when absent)',
    },
    testLimit: {
      type: 'integer',
      minimum: 1,
      description: 'Keep only the first N test images (all when absent)',
    },
  },
  allOf: [
    {
      if: { properties: { source: { const: 'path' } }, required: ['source'] },
      then: { anyOf: [{ required: ['path'] }, { required: ['files'] }] },
    },
    {
      if: { properties: { source: { const: 'url' } }, required: ['source'] },
      then: { anyOf: [{ required: ['url'] }, { required: ['files'] }] },
    },
  ],
};

/** The four input files of source "upload" (multipart part names). */
export const IMPORT_INPUT_FILES = [
  {
    name: 'train-images',
    description: 'Training images, IDX (idx3-ubyte), gzipped or not',
    required: false,
  },
  {
    name: 'train-labels',
    description: 'Training labels, IDX (idx1-ubyte), gzipped or not',
    required: false,
  },
  {
    name: 'test-images',
    description: 'Test images, IDX (idx3-ubyte), gzipped or not',
    required: false,
  },
  {
    name: 'test-labels',
    description: 'Test labels, IDX (idx1-ubyte), gzipped or not',
    required: false,
  },
];
