import { ErrorCode, KilnError, type HealthResponse } from '@kiln/api';
import { buildOpenApi } from '../http/openapi.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';

/** `GET /`, `GET /health` and `GET /openapi.json`. `allRoutes` feeds the OpenAPI document. */
export function descriptionRoutes(ctx: ToolServerContext, allRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  let openApi: Record<string, unknown> | null = null;
  return [
    {
      method: 'get',
      path: '/',
      operationId: 'describe',
      summary: 'What this container is, its parameters schema and input files',
      responses: { '200': 'the description' },
      content: { 'application/json': { type: 'object' } },
      handler: (_req, res) => {
        res.json(ctx.description);
      },
    },
    {
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary: 'Whether the container can take work; 503 while it cannot (no mule)',
      responses: { '200': 'healthy', '503': 'cannot take work' },
      content: { 'application/json': { type: 'object' } },
      handler: (_req, res) => {
        const counts = ctx.store.counts();
        const body: HealthResponse = {
          status: ctx.mule.available ? 'ok' : 'unavailable',
          queued: counts.queued ?? 0,
          running: counts['in-progress'] ?? 0,
        };
        if (!ctx.mule.available) {
          const problem = new KilnError(ErrorCode.ServiceUnavailable, 'no mule is running; one is being started', { status: 503 });
          res.status(503).json({ ...body, reason: problem.message });
          return;
        }
        res.json(body);
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'The OpenAPI 3.1 document of this container',
      responses: { '200': 'the document' },
      content: { 'application/json': { type: 'object' } },
      handler: (_req, res) => {
        openApi ??= buildOpenApi(ctx.description, allRoutes());
        res.json(openApi);
      },
    },
  ];
}
