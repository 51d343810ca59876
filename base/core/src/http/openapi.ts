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

function pathParameters(route: RouteSpec): Record<string, unknown>[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: route.params?.[name!] ?? { type: 'string' },
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

function operation(route: RouteSpec, options: OpenApiOptions): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const content = route.content ?? options.defaultContent;
  for (const [status, text] of Object.entries(route.responses)) {
    const success = Number(status) < 400;
    responses[status] = success
      ? { description: text, ...(content ? { content: mapContent(content) } : {}) }
      : {
          description: text,
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        };
  }
  const requestBody = route.requestBody === 'create' ? options.createBody : route.requestBody;
  return {
    operationId: route.operationId,
    summary: route.summary,
    parameters: [
      ...pathParameters(route),
      ...(route.query ?? []).map((query) => ({
        name: query.name,
        in: 'query',
        required: false,
        description: query.description,
        schema: query.schema,
      })),
    ],
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function mapContent(content: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }]));
}

/** The `info` of an OpenAPI document: what the container is. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /**
   * Members a container's problem documents carry beside RFC 9457's (the `extend` of its
   * problem handler), as JSON Schema properties.
   * @defaultValue none
   */
  problemMembers?: Record<string, Record<string, unknown>>;
  /** More component schemas, for `$ref`s in the routes. @defaultValue none */
  schemas?: Record<string, unknown>;
  /** The body of routes whose `requestBody` is `create`. @defaultValue none */
  createBody?: Record<string, unknown>;
  /**
   * The success content of routes that describe none (media type → JSON Schema).
   * @defaultValue none: such responses are documented without content
   */
  defaultContent?: Record<string, Record<string, unknown>>;
}

/**
 * The OpenAPI 3.1 document of an HTTP container, built from the {@link RouteSpec}s it serves,
 * so that the document cannot drift from the routes. Tool and pipeline containers get theirs
 * from `@kiln/core` itself; a container with its own express app (the serving container) builds
 * it the same way.
 *
 * @example
 * ```ts
 * const document = buildOpenApiDocument(
 *   { title: 'serving', version: '1.0.0', description: 'Serves models' },
 *   routes,
 *   { problemMembers: { error: { type: 'string' } } },
 * );
 * ```
 */
export function buildOpenApiDocument(
  info: OpenApiInfo,
  routes: readonly RouteSpec[],
  options: OpenApiOptions = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    item[route.method] = operation(route, options);
  }
  const problem = {
    ...PROBLEM_SCHEMA,
    properties: { ...PROBLEM_SCHEMA.properties, ...options.problemMembers },
  };
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: { schemas: { ...options.schemas, Problem: problem } },
  };
}

/** The OpenAPI 3.1 document of a tool (or pipeline) container: its routes and parameter schema. */
export function buildOpenApi(
  description: ToolDescription,
  routes: readonly RouteSpec[],
): Record<string, unknown> {
  return buildOpenApiDocument(
    {
      title: `${description.name} (${description.kind})`,
      version: description.version,
      description: description.description,
    },
    routes,
    {
      schemas: { Parameters: description.parameters, ArtifactSummary: SUMMARY_SCHEMA },
      createBody: createBody(description),
    },
  );
}

export const SUMMARY_REF = { $ref: '#/components/schemas/ArtifactSummary' };
