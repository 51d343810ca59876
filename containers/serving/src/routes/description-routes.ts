import type { ServingDescription } from '@kiln/api';
import { buildOpenApiDocument, isDiskFull, openEventStream, type RouteSpec } from '@kiln/core';
import { PROBLEM_MEMBERS } from '../http/openapi-schemas.js';
import type { ServingContext } from '../http/serving-context.js';

/** What a JSON answer is documented as when its route says no more. */
const JSON_OBJECT = { 'application/json': { type: 'object' } };

/** `GET /`, `GET /health`, `GET /openapi.json` and `GET /events`. */
export function descriptionRoutes(
  ctx: ServingContext,
  allRoutes: () => readonly RouteSpec[],
): RouteSpec[] {
  let openApi: Record<string, unknown> | null = null;
  return [
    {
      method: 'get',
      path: '/',
      operationId: 'describe',
      summary:
        'What this container is, the models it serves, and (as a tool container) the artifact type and parameters of its snapshots',
      responses: { '200': 'the description' },
      handler: (_req, res) => {
        res.json({
          ...ctx.description,
          models: ctx.registry.modelNames(),
        } satisfies ServingDescription);
      },
    },
    {
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary:
        'Whether the container can take work (503 while its disk is full), with each model process',
      responses: { '200': 'healthy', '503': 'cannot keep predictions' },
      handler: async (_req, res) => {
        const full = await isDiskFull(ctx.dataDir);
        const snapshots = await ctx.snapshots.health();
        res.status(full ? 503 : 200).json({
          status: full ? 'unavailable' : 'ok',
          queued: snapshots.queued,
          running: snapshots.running,
          workers: snapshots.workers,
          models: ctx.registry.modelNames().length,
          processes: ctx.registry.workers(),
          ...(full ? { reason: "the data folder's disk is full" } : {}),
        });
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'The OpenAPI 3.1 document of this container',
      responses: { '200': 'the document' },
      handler: (_req, res) => {
        openApi ??= buildOpenApiDocument(
          {
            title: `${ctx.description.name} (serving)`,
            version: ctx.description.version,
            description: ctx.description.description,
          },
          allRoutes(),
          {
            problemMembers: PROBLEM_MEMBERS,
            defaultContent: JSON_OBJECT,
            ...ctx.snapshots.schemas,
          },
        );
        res.json(openApi);
      },
    },
    {
      method: 'get',
      path: '/events',
      operationId: 'events',
      summary:
        'Server-Sent Events: prediction, version, alias, feedback, retrain, and artifact (a snapshot changed)',
      responses: { '200': 'the event stream' },
      content: { 'text/event-stream': { type: 'string' } },
      handler: (req, res) => {
        const stream = openEventStream(req, res);
        stream.onClose(ctx.events.onAny((name, data) => stream.send(name, data)));
      },
    },
  ];
}
