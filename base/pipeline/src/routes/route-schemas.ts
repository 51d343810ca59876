import { ContainerCategory, ARTIFACT_STATUSES, VariantGoal } from '@kiln/api';

/** JSON Schemas of the pipeline routes' answers, for `/openapi.json` (docs/api.md, Pipeline container). */
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
    variant: { type: 'string', description: 'the sweep variant the step belongs to, if any' },
  },
};

const NAMED_URLS = { type: 'object', additionalProperties: { type: 'string' } } as const;

const VARIANT_RESULT_SCHEMA = {
  type: 'object',
  required: [
    'name',
    'parameters',
    'status',
    'error',
    'figures',
    'steps',
    'artifacts',
    'links',
    'startedAt',
    'finishedAt',
  ],
  properties: {
    name: STRING,
    parameters: { type: 'object', description: 'the variant as the run gave it, less its name' },
    status: { enum: [...ARTIFACT_STATUSES] },
    error: { type: ['string', 'null'] },
    figures: { type: ['object', 'null'] },
    steps: { ...NAMED_URLS, description: "step name in the variant → the step's name in the run" },
    artifacts: { ...NAMED_URLS, description: 'step name in the variant → artifact URL' },
    links: { ...NAMED_URLS, description: 'step name in the variant → path through the gateway' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: TIME,
  },
};

export const RUN_VARIANTS_SCHEMA = {
  oneOf: [
    {
      type: 'object',
      required: ['metric', 'goal', 'best', 'failed', 'results'],
      properties: {
        metric: STRING,
        goal: { enum: Object.values(VariantGoal) },
        best: { type: ['string', 'null'] },
        failed: { type: 'array', items: STRING },
        results: { type: 'array', items: VARIANT_RESULT_SCHEMA },
      },
    },
    { type: 'null', description: 'the run has not swept any variants (yet)' },
  ],
};
