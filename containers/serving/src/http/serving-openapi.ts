import type { RouteSpec } from '@kiln/core';
import type { ServingContext } from './serving-context.js';

const json = (schema: Record<string, unknown>) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** Request bodies, by operation. */
const REQUEST_BODIES: Record<string, Record<string, unknown>> = {
  registerVersion: json({
    type: 'object',
    required: ['artifact'],
    additionalProperties: false,
    properties: {
      artifact: { type: 'string', format: 'uri', description: 'URL of a completed model artifact' },
      evaluation: {
        type: 'string',
        format: 'uri',
        description: 'URL of a dataset artifact to evaluate on',
      },
      set: { type: 'string', description: "the dataset's set to evaluate on (test)" },
    },
  }),
  setAlias: json({
    type: 'object',
    required: ['version'],
    additionalProperties: false,
    properties: { version: { type: 'integer', minimum: 1 } },
  }),
  predictImage: {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['image'],
          properties: {
            image: { type: 'string', format: 'binary', description: 'PNG, JPEG or PGM' },
          },
        },
      },
    },
  },
};
const INFER_BODY = json({
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object' },
    inputs: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { const: 'images' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { enum: ['FP32', 'UINT8'] },
          data: { type: 'array' },
        },
      },
    },
    outputs: {
      type: 'array',
      items: { type: 'object', properties: { name: { const: 'probabilities' } } },
    },
  },
});
REQUEST_BODIES['oipInfer'] = INFER_BODY;
REQUEST_BODIES['oipVersionInfer'] = INFER_BODY;

const PROBLEM = {
  'application/problem+json': {
    schema: {
      type: 'object',
      required: ['type', 'title', 'status', 'error'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: { type: 'string' },
        error: { type: 'string', description: "the Open Inference Protocol's error member" },
      },
    },
  },
};

/** The OpenAPI 3.1 document of the serving container, built from its route specs. */
export function buildServingOpenApi(
  ctx: ServingContext,
  routes: readonly RouteSpec[],
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, description]) => [
        status,
        Number(status) < 400
          ? {
              description,
              content: route.content
                ? Object.fromEntries(
                    Object.entries(route.content).map(([t, schema]) => [t, { schema }]),
                  )
                : { 'application/json': { schema: { type: 'object' } } },
            }
          : { description, content: PROBLEM },
      ]),
    );
    item[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      parameters: [
        ...[...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
          name,
          in: 'path',
          required: true,
          schema: name === 'version' ? { type: 'integer', minimum: 1 } : { type: 'string' },
        })),
        ...(route.query ?? []).map((query) => ({
          name: query.name,
          in: 'query',
          required: false,
          description: query.description,
          schema: query.schema,
        })),
      ],
      ...(REQUEST_BODIES[route.operationId]
        ? { requestBody: REQUEST_BODIES[route.operationId] }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `${ctx.description.name} (serving)`,
      version: ctx.description.version,
      description: ctx.description.description,
    },
    paths,
  };
}
