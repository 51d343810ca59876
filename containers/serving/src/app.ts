import { mountRoutes, notFoundHandler, problemHandler, type RouteSpec } from '@kiln/core';
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import type { ServingContext } from './http/serving-context.js';
import { descriptionRoutes } from './routes/description-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { oipRoutes } from './routes/oip-routes.js';
import { predictionRoutes } from './routes/prediction-routes.js';

/** Every route of the serving container, in mounting order. */
function servingRoutes(ctx: ServingContext): RouteSpec[] {
  const routes: RouteSpec[] = [];
  routes.push(
    ...descriptionRoutes(ctx, () => routes),
    ...oipRoutes(ctx),
    ...modelRoutes(ctx),
    ...predictionRoutes(ctx),
  );
  return routes;
}

/**
 * The serving container's express app: the Open Inference Protocol under `/v2`, Kiln's model
 * and prediction routes, `/events`, then 404 and problem handling. Every error is an RFC 9457
 * problem document that also carries OIP's `error` member (its `detail`).
 */
export function createApp(ctx: ServingContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    res.setHeader(
      'X-Request-Id',
      (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
    );
    next();
  });
  app.use(express.json({ limit: ctx.limits.maxBodyBytes }));
  const router = express.Router();
  mountRoutes(router, servingRoutes(ctx));
  app.use(router);
  app.use(notFoundHandler());
  app.use(
    problemHandler(ctx.logger, {
      extend: (problem) => ({ error: problem.detail ?? problem.title }),
    }),
  );
  return app;
}
