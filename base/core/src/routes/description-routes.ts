import type { HealthResponse } from '@kiln/api';
import { buildOpenApi } from '../http/openapi.js';
import { schemaRef } from '../http/openapi-schemas.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { isDiskFull } from '../util/disk-space.js';

/** `GET /`, `GET /health` and `GET /openapi.json`. `allRoutes` feeds the OpenAPI document. */
export function descriptionRoutes(
  ctx: ToolServerContext,
  allRoutes: () => readonly RouteSpec[],
): RouteSpec[] {
  let openApi: Record<string, unknown> | null = null;
  return [
    {
      method: 'get',
      path: '/',
      operationId: 'describe',
      summary: 'What this container is, its parameters schema and input files',
      responses: { '200': 'the description' },
      content: { 'application/json': schemaRef('ToolDescription') },
      handler: (_req, res) => {
        res.json(ctx.description);
      },
    },
    {
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary:
        'Whether the container can take work, with its queue and workers; 503 only while it cannot (disk full, or no build process can be started)',
      responses: { '200': 'healthy', '503': 'cannot take work; `reason` says why' },
      contentOn: ['503'],
      content: { 'application/json': schemaRef('Health') },
      handler: async (_req, res) => {
        const counts = await ctx.store.counts();
        const reason = (await isDiskFull(ctx.store.dataDir))
          ? "the data folder's disk is full"
          : ctx.workers.unavailableReason;
        const body: HealthResponse = {
          status: reason ? 'unavailable' : 'ok',
          queued: counts.queued ?? 0,
          running: counts['in-progress'] ?? 0,
          workers: ctx.workers.size,
          ...(reason ? { reason } : {}),
        };
        res.status(reason ? 503 : 200).json(body);
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'The OpenAPI 3.1 document of this container',
      responses: { '200': 'the document' },
      content: {
        'application/json': {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: { openapi: { const: '3.1.0' } },
        },
      },
      handler: (_req, res) => {
        openApi ??= buildOpenApi(ctx.description, allRoutes());
        res.json(openApi);
      },
    },
  ];
}
