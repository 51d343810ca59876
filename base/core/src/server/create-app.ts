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

/** Every route of the artifact API for a context, in mounting order. */
function toolRoutes(ctx: ToolServerContext): RouteSpec[] {
  const routes: RouteSpec[] = [];
  routes.push(
    ...descriptionRoutes(ctx, () => routes),
    ...collectionRoutes(ctx),
    ...artifactRoutes(ctx),
    ...dataRoutes(ctx),
    ...logRoutes(ctx),
    ...inputRoutes(ctx),
    ...metricRoutes(ctx),
    ...eventRoutes(ctx),
  );
  return routes;
}

function hookContext(ctx: ToolServerContext): ServerHookContext {
  return {
    logger: ctx.logger,
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
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    res.setHeader('X-Request-Id', requestId);
    next();
  });
  const router = express.Router();
  definition.routes?.(router, hookContext(ctx));
  mountRoutes(router, toolRoutes(ctx));
  app.use(router);
  app.use(notFoundHandler());
  app.use(problemHandler(ctx.logger));
  return app;
}
