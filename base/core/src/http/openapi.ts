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

function pathParameters(route: RouteSpec): Record<string, unknown>[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => {
    const known = PATH_PARAMETERS[name] ?? {
      description: `the ${name}`,
      schema: { type: 'string' },
    };
    return {
      name,
      in: 'path',
      required: true,
      description: known.description,
      schema: route.params?.[name] ?? known.schema,
    };
  });
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
 * The route's own responses, plus what every route of this shape answers: the container's
 * `pathResponses` wherever the path has a parameter (a tool's 400 for a bad name, 404 for an
 * unknown artifact), and a problem document for anything else (`default`, a 5xx among them).
 */
function responsesOf(route: RouteSpec, options: OpenApiOptions): Record<string, unknown> {
  const declared: Record<string, string> = { ...route.responses };
  if (route.path.includes('{'))
    for (const [status, text] of Object.entries(options.pathResponses ?? {}))
      declared[status] ??= text;
  const content = route.content ?? options.defaultContent;
  const responses: Record<string, unknown> = {};
  for (const [status, text] of Object.entries(declared)) {
    const success = Number(status) < 400 || (route.contentOn ?? []).includes(status);
    const headers = { ...REQUEST_ID_HEADER, ...(success ? route.responseHeaders?.[status] : {}) };
    responses[status] = success
      ? {
          description: text,
          headers: describeHeaders(headers),
          ...(content && status !== '204' && status !== '304'
            ? { content: mapContent(content) }
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

function operation(route: RouteSpec, options: OpenApiOptions): Record<string, unknown> {
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
      ...(route.headers ?? []).map((header) => ({
        name: header.name,
        in: 'header',
        required: false,
        description: header.description,
        schema: header.schema,
      })),
    ],
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route, options),
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
  /**
   * More component schemas, for `$ref`s in the routes; `Problem` is always there.
   * @defaultValue none
   */
  schemas?: Record<string, unknown>;
  /** The body of routes whose `requestBody` is `create`. @defaultValue none */
  createBody?: Record<string, unknown>;
  /**
   * The success content of routes that describe none (media type → JSON Schema).
   * @defaultValue none: such responses are documented without content
   */
  defaultContent?: Record<string, Record<string, unknown>>;
  /**
   * Status → description of the errors every route with a path parameter may answer, unless it
   * declares that status itself.
   * @defaultValue none
   */
  pathResponses?: Record<string, string>;
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
    ...COMPONENT_SCHEMAS.Problem,
    properties: { ...COMPONENT_SCHEMAS.Problem.properties, ...options.problemMembers },
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
      schemas: { Parameters: description.parameters, ...COMPONENT_SCHEMAS },
      createBody: createBody(description),
      pathResponses: { '400': 'a bad name or path', '404': 'no such artifact' },
    },
  );
}

/** The summary's schema, as a route's content. */
export const SUMMARY_REF = schemaRef('ArtifactSummary');
