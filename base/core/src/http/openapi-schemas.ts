import {
  ARTIFACT_STATUSES,
  ContainerKind,
  METRIC_VIEWS,
  MetricKind,
  NAME_PATTERN,
} from '@kiln/api';

/**
 * The JSON Schemas of the artifact API's bodies (docs/api.md), as `components.schemas` of every
 * container's `/openapi.json`. Routes point at them with {@link schemaRef}. They allow members
 * beyond those listed, as the contract lets containers extend an answer compatibly.
 */
const NAME = { type: 'string', pattern: NAME_PATTERN.source };
const TIME = { type: 'string', format: 'date-time' };
const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' };
const SHA256 = { type: 'string', pattern: '^[0-9a-f]{64}$' };

const ARTIFACT_SUMMARY = {
  type: 'object',
  description: 'An artifact (or run) in every listing, in `/status` and in `/events`',
  required: [
    'name',
    'status',
    'createdAt',
    'startedAt',
    'finishedAt',
    'progress',
    'message',
    'error',
    'attempt',
    'cached',
    'cachedFrom',
  ],
  properties: {
    name: NAME,
    status: { enum: [...ARTIFACT_STATUSES] },
    createdAt: TIME,
    startedAt: NULLABLE_TIME,
    finishedAt: NULLABLE_TIME,
    progress: { type: 'number', minimum: 0, maximum: 1 },
    message: { type: ['string', 'null'] },
    error: { type: ['string', 'null'], description: 'why a failed build failed' },
    attempt: { type: 'integer', minimum: 1 },
    cached: { type: 'boolean' },
    cachedFrom: { type: ['string', 'null'], description: 'the artifact a cached one reuses' },
  },
};

const DATA_FILE_ENTRY = {
  type: 'object',
  required: ['path', 'size'],
  properties: {
    path: { type: 'string', description: 'relative to the data folder, with `/`' },
    size: { type: 'integer', minimum: 0 },
    sha256: SHA256,
  },
};

const INPUT_FILE_ENTRY = {
  type: 'object',
  required: ['name', 'filename', 'size', 'sha256'],
  properties: {
    name: { type: 'string', description: 'the input file it was given as' },
    filename: { type: 'string', description: 'the file name the client sent' },
    size: { type: 'integer', minimum: 0 },
    sha256: SHA256,
  },
};

const INPUT_ARTIFACT_REF = {
  type: 'object',
  required: ['parameter', 'url', 'digest'],
  properties: {
    parameter: { type: 'string' },
    url: { type: 'string', format: 'uri' },
    digest: { type: ['string', 'null'], description: 'its digest when it was referenced' },
  },
};

const ARTIFACT_RECORD = {
  description: 'The full record of an artifact: its summary and everything it was made from',
  allOf: [
    { $ref: '#/components/schemas/ArtifactSummary' },
    {
      type: 'object',
      required: ['parameters', 'inputFiles', 'files', 'metrics', 'inputs', 'digest'],
      properties: {
        parameters: { type: 'object', description: 'as validated, defaults filled in' },
        inputFiles: { type: 'array', items: { $ref: '#/components/schemas/InputFileEntry' } },
        files: { type: 'array', items: { $ref: '#/components/schemas/DataFileEntry' } },
        metrics: { type: 'array', items: NAME },
        inputs: { type: 'array', items: { $ref: '#/components/schemas/InputArtifactRef' } },
        digest: {
          oneOf: [SHA256, { type: 'null' }],
          description: 'sha256 over `path NUL sha256(file) LF` lines; null until completed',
        },
      },
    },
  ],
};

const TOOL_DESCRIPTION = {
  type: 'object',
  required: [
    'kind',
    'api',
    'name',
    'version',
    'description',
    'artifactType',
    'parameters',
    'inputFiles',
  ],
  properties: {
    kind: { enum: Object.values(ContainerKind) },
    api: { const: 'kiln/v1' },
    name: NAME,
    version: { type: 'string' },
    description: { type: 'string' },
    artifactType: { type: 'string' },
    parameters: {
      type: 'object',
      description:
        'the JSON Schema (2020-12) of the parameters, as `components.schemas.Parameters`',
    },
    inputFiles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'description', 'required'],
        properties: {
          name: { type: 'string', description: 'the multipart part name on create' },
          description: { type: 'string' },
          required: { type: 'boolean' },
        },
      },
    },
  },
};

const HEALTH = {
  type: 'object',
  required: ['status', 'queued', 'running', 'workers'],
  properties: {
    status: { enum: ['ok', 'unavailable'] },
    queued: { type: 'integer', minimum: 0 },
    running: { type: 'integer', minimum: 0 },
    workers: { type: 'integer', minimum: 1, description: 'how many builds can run at once' },
    reason: { type: 'string', description: 'why the container cannot take work (503 only)' },
  },
};

const METRIC_POINT = {
  type: 'object',
  required: ['step', 'value', 'time'],
  properties: { step: { type: 'number' }, value: { type: 'number' }, time: TIME },
};

const METRIC_INFO = {
  type: 'object',
  required: ['name', 'kind', 'views', 'last'],
  properties: {
    name: NAME,
    kind: { enum: Object.values(MetricKind) },
    views: { type: 'array', items: { enum: Object.values(METRIC_VIEWS).flat() } },
    last: {
      oneOf: [{ $ref: '#/components/schemas/MetricPoint' }, { type: 'null' }],
      description: 'the last point of a series; null for a report',
    },
  },
};

const PROBLEM = {
  type: 'object',
  description: 'An RFC 9457 problem document, as every error of every status is answered',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', description: '`/problems/<code in kebab case>`' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', description: 'the stable error code (docs/errors.md)' },
    instance: { type: 'string', description: 'the request path' },
    errors: {
      type: 'array',
      description: 'validation failures, each at the JSON Pointer of the offending value',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** Every schema but `Parameters`, which is the container's own. */
export const COMPONENT_SCHEMAS = {
  ArtifactSummary: ARTIFACT_SUMMARY,
  ArtifactRecord: ARTIFACT_RECORD,
  DataFileEntry: DATA_FILE_ENTRY,
  InputFileEntry: INPUT_FILE_ENTRY,
  InputArtifactRef: INPUT_ARTIFACT_REF,
  ToolDescription: TOOL_DESCRIPTION,
  Health: HEALTH,
  MetricInfo: METRIC_INFO,
  MetricPoint: METRIC_POINT,
  Problem: PROBLEM,
} as const;

/** A component schema's name, `Parameters` (the container's own) included. */
export type SchemaName = keyof typeof COMPONENT_SCHEMAS | 'Parameters';

/** `{ $ref: '#/components/schemas/<name>' }`. */
export function schemaRef(name: SchemaName): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}
