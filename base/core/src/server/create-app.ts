import { ErrorCode, KilnError } from '@kiln/api';
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { mountRoutes, type RouteSpec } from '../http/route-spec.js';
import { notFoundHandler, problemHandler } from '../http/problem-handler.js';
import { artifactRoutes } from '../routes/artifact-routes.js';
import { collectionRoutes } from '../routes/collection-routes.js';
import { dataRoutes } from '../routes/data-routes.js';
import { descriptionRoutes } from '../routes/description-routes.js';
import { eventRoutes } from '../routes/event-routes.js';
import { inputRoutes } from '../routes/input-routes.js';
import { logRoutes } from '../routes/log-routes.js';
import { metricRoutes } from '../routes/metric-routes.js';
import type { ServerHookContext } from '../tool/server-hook-context.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import type { ToolServerContext } from './tool-server-context.js';
import { toSummary } from '../store/artifact-row.js';
import { listMetricFiles, readReport } from '../metrics/metric-reader.js';

/** A request id a caller may choose (a UUID, a trace id). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The artifact API proper: the collection (`/artifacts` or `/runs`) and everything under an
 * artifact. A container that embeds a tool serves these beside its own `/`, `/health`,
 * `/openapi.json` and `/events`.
 */
export function artifactApiRoutes(ctx: ToolServerContext): RouteSpec[] {
  return [
    ...collectionRoutes(ctx),
    ...artifactRoutes(ctx),
    ...dataRoutes(ctx),
    ...logRoutes(ctx),
    ...inputRoutes(ctx),
    ...metricRoutes(ctx),
  ];
}

/**
 * Every route of the container for a context, in mounting order: the definition's own first,
 * then the artifact API. All of them feed `/openapi.json`.
 */
function toolRoutes(ctx: ToolServerContext, own: readonly RouteSpec[]): RouteSpec[] {
  const routes: RouteSpec[] = [...own];
  routes.push(
    ...descriptionRoutes(ctx, () => routes),
    ...artifactApiRoutes(ctx),
    ...eventRoutes(ctx),
  );
  return routes;
}

function hookContext(ctx: ToolServerContext): ServerHookContext {
  return {
    logger: ctx.logger,
    topology: ctx.topology,
    collectionPath: ctx.collectionPath,
    getSummary: async (name) => {
      const artifact = await ctx.store.get(name);
      return artifact ? toSummary(artifact) : null;
    },
    getRecord: async (name) => ((await ctx.store.get(name)) ? ctx.store.record(name) : null),
    readReport: async (artifact, metric) => {
      if (!(await ctx.store.get(artifact))) return null;
      const file = (await listMetricFiles(ctx.store.paths(artifact).metrics)).find(
        (f) => f.name === metric && f.kind === 'report',
      );
      return file ? readReport(file.path) : null;
    },
  };
}

/**
 * The express app of a tool (or pipeline) container: the definition's own routes first, then
 * the artifact API, then 404 and problem handling.
 */
export function createApp(
  ctx: ToolServerContext,
  definition: Pick<ToolDefinition, 'routes'> = {},
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    // Echoed only when it looks like an id: any other text would come back in every answer.
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    // HTTP/1.1 requires Host (RFC 9112, 3.2); Node's own check would answer a bare 400.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      next(
        new KilnError(ErrorCode.BadRequest, 'an HTTP/1.1 request needs a Host header', {
          status: 400,
        }),
      );
      return;
    }
    next();
  });
  const router = express.Router();
  const own = definition.routes?.(router, hookContext(ctx)) ?? [];
  mountRoutes(router, toolRoutes(ctx, own));
  app.use(router);
  app.use(notFoundHandler());
  app.use(problemHandler(ctx.logger));
  return app;
}
