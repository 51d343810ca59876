import { ARTIFACT_STATUSES, type ToolDescription } from '@kiln/api';
import type { RouteSpec } from './route-spec.js';

const SUMMARY_SCHEMA = {
  type: 'object',
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
    name: { type: 'string' },
    status: { enum: [...ARTIFACT_STATUSES] },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    progress: { type: 'number', minimum: 0, maximum: 1 },
    message: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
    attempt: { type: 'integer', minimum: 1 },
    cached: { type: 'boolean' },
    cachedFrom: { type: ['string', 'null'] },
  },
};

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

function pathParameters(path: string): Record<string, unknown>[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description:
      name === 'path' ? 'a relative path inside the artifact (may contain /)' : `the ${name}`,
  }));
}

function createBody(description: ToolDescription): Record<string, unknown> {
  const fileParts = Object.fromEntries(
    description.inputFiles.map((file) => [
      file.name,
      { type: 'string', format: 'binary', description: file.description },
    ]),
  );
  return {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
            parameters: { $ref: '#/components/schemas/Parameters' },
            cache: { type: 'boolean' },
            callback: { type: 'string', format: 'uri' },
          },
        },
      },
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            parameters: { type: 'string', description: 'the parameters as a JSON string' },
            cache: { type: 'string', enum: ['true', 'false'] },
            callback: { type: 'string' },
            ...fileParts,
          },
        },
      },
    },
  };
}

function operation(route: RouteSpec, description: ToolDescription): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, text] of Object.entries(route.responses)) {
    const success = Number(status) < 400;
    responses[status] = success
      ? { description: text, ...(route.content ? { content: mapContent(route.content) } : {}) }
      : {
          description: text,
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    parameters: [
      ...pathParameters(route.path),
      ...(route.query ?? []).map((query) => ({
        name: query.name,
        in: 'query',
        required: false,
        description: query.description,
        schema: query.schema,
      })),
    ],
    ...(route.requestBody === 'create' ? { requestBody: createBody(description) } : {}),
    responses,
  };
}

function mapContent(content: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }]));
}

/** The OpenAPI 3.1 document of a container, built from its route specs and parameter schema. */
export function buildOpenApi(
  description: ToolDescription,
  routes: readonly RouteSpec[],
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    item[route.method] = operation(route, description);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `${description.name} (${description.kind})`,
      version: description.version,
      description: description.description,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: {
        Parameters: description.parameters,
        ArtifactSummary: SUMMARY_SCHEMA,
        Problem: PROBLEM_SCHEMA,
      },
    },
  };
}

export const SUMMARY_REF = { $ref: '#/components/schemas/ArtifactSummary' };
