import { METRIC_VIEWS, NAME_PATTERN, type ToolDescription } from '@kiln/api';
import { COMPONENT_SCHEMAS, schemaRef } from './openapi-schemas.js';
import type { RouteSpec } from './route-spec.js';

/** Path parameters by name: what each holds. Names are Kiln names; `{path}` spans segments. */
const PATH_PARAMETERS: Record<string, { description: string; schema: Record<string, unknown> }> = {
  name: {
    description: 'the artifact (or run)',
    schema: { type: 'string', pattern: NAME_PATTERN.source },
  },
  path: {
    description: "a relative path inside the artifact's data (may contain `/`)",
    schema: { type: 'string' },
  },
  file: {
    description: 'the input file, by its name in the description',
    schema: { type: 'string', pattern: NAME_PATTERN.source },
  },
  metric: { description: 'the metric', schema: { type: 'string', pattern: NAME_PATTERN.source } },
  view: {
    description: 'a series has `values`, `csv`, `latest` and `svg`; a report has `json`',
    schema: { enum: Object.values(METRIC_VIEWS).flat() },
  },
};

/** Sent on every answer, errors included. */
const REQUEST_ID_HEADER = {
  'X-Request-Id': {
    description: "the request's id (echoed when the request sends one)",
    schema: { type: 'string' },
  },
};

const PROBLEM_CONTENT = { 'application/problem+json': { schema: schemaRef('Problem') } };

function pathParameters(path: string): Record<string, unknown>[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    ...(PATH_PARAMETERS[name] ?? { description: `the ${name}`, schema: { type: 'string' } }),
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
            name: { type: 'string', pattern: NAME_PATTERN.source },
            parameters: schemaRef('Parameters'),
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

/**
 * The route's own responses, plus what every route of this shape answers: a problem document for
 * a bad name or path (400) and an unknown artifact (404) wherever the path names one, and for
 * anything else (`default`, a 5xx among them).
 */
function responsesOf(route: RouteSpec): Record<string, unknown> {
  const declared: Record<string, string> = { ...route.responses };
  if (route.path.includes('{')) {
    declared['400'] ??= 'a bad name or path';
    declared['404'] ??= 'no such artifact';
  }
  const responses: Record<string, unknown> = {};
  for (const [status, text] of Object.entries(declared)) {
    const success = Number(status) < 400 || (route.contentOn ?? []).includes(status);
    const headers = { ...REQUEST_ID_HEADER, ...(success ? route.responseHeaders?.[status] : {}) };
    responses[status] = success
      ? {
          description: text,
          headers: describeHeaders(headers),
          ...(route.content && status !== '204' && status !== '304'
            ? { content: mapContent(route.content) }
            : {}),
        }
      : { description: text, headers: describeHeaders(headers), content: PROBLEM_CONTENT };
  }
  responses['default'] = {
    description: 'any other error, as a problem document',
    headers: describeHeaders(REQUEST_ID_HEADER),
    content: PROBLEM_CONTENT,
  };
  return responses;
}

function describeHeaders(
  headers: Record<string, string | { description: string; schema: Record<string, unknown> }>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, header]) => [
      name,
      typeof header === 'string' ? { description: header, schema: { type: 'string' } } : header,
    ]),
  );
}

function operation(route: RouteSpec, description: ToolDescription): Record<string, unknown> {
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
      ...(route.headers ?? []).map((header) => ({
        name: header.name,
        in: 'header',
        required: false,
        description: header.description,
        schema: header.schema,
      })),
    ],
    ...(route.requestBody === 'create' ? { requestBody: createBody(description) } : {}),
    responses: responsesOf(route),
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
      schemas: { Parameters: description.parameters, ...COMPONENT_SCHEMAS },
    },
  };
}

/** The summary's schema, as a route's content. */
export const SUMMARY_REF = schemaRef('ArtifactSummary');
