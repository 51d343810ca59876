import { ContainerCategory, ARTIFACT_STATUSES } from '@kiln/api';

/** JSON Schemas of the pipeline routes' answers, for `/openapi.json` (API.md, Pipeline container). */
const STRING = { type: 'string' } as const;
const TIME = { type: ['string', 'null'], format: 'date-time' } as const;

export const TASK_SCHEMA = {
  type: 'object',
  required: [
    'name',
    'description',
    'output',
    'constraints',
    'archives',
    'evaluation_criterias',
    'cost_function',
    'evaluation_dataset',
  ],
  properties: {
    name: { type: 'string', description: 'reverse-domain notation, e.g. org.kiln.fashion-mnist' },
    description: STRING,
    output: STRING,
    constraints: STRING,
    archives: STRING,
    evaluation_criterias: STRING,
    cost_function: STRING,
    evaluation_dataset: STRING,
  },
};

export const CONTAINER_INFO_SCHEMA = {
  type: 'object',
  required: ['name', 'url', 'category', 'description', 'artifactType', 'healthy'],
  properties: {
    name: STRING,
    url: { type: 'string', format: 'uri', description: 'in compose form: http://<service>:8080' },
    category: { enum: Object.values(ContainerCategory) },
    description: STRING,
    artifactType: STRING,
    healthy: { type: 'boolean' },
  },
};

export const STEP_INFO_SCHEMA = {
  type: 'object',
  required: ['step', 'container', 'artifact', 'url', 'status', 'cached', 'startedAt', 'finishedAt'],
  properties: {
    step: STRING,
    container: STRING,
    artifact: STRING,
    url: { type: 'string', format: 'uri' },
    status: { enum: [...ARTIFACT_STATUSES] },
    cached: { type: 'boolean' },
    startedAt: TIME,
    finishedAt: TIME,
  },
};
