import type { Logger } from '@kiln/core';
import { notFoundHandler, problemHandler, SILENT_LOGGER } from '@kiln/core';
import express, { type Express } from 'express';
import type { ContainerEndpoint } from './container-urls.js';
import { MetricCollector } from './metrics/metric-collector.js';
import { metricRoutes } from './routes/metric-routes.js';
import { tensorboardRoute } from './routes/tensorboard-route.js';
import { ContainerClient } from './upstream/container-client.js';

/** What {@link createApp} needs. */
export interface VisualizationDeps {
  /** The containers whose metrics are gathered (tools and pipelines). */
  containers: readonly ContainerEndpoint[];
  /** @defaultValue SILENT_LOGGER */
  logger?: Logger;
  /**
   * How many metric listings are asked for at once per container.
   * @defaultValue 8
   */
  concurrency?: number;
  /**
   * How long one request to a container may take.
   * @defaultValue 30000
   */
  upstreamTimeoutMs?: number;
}

/**
 * The visualization container's express app: `GET /metrics`, the forwarded metric views,
 * `GET /tensorboard` and `GET /health`.
 *
 * @example
 * ```ts
 * const app = createApp({ containers: parseContainerUrls('train=http://train:8080') });
 * app.listen(8080);
 * ```
 */
export function createApp(deps: VisualizationDeps): Express {
  const logger = deps.logger ?? SILENT_LOGGER;
  const clients = new Map(
    deps.containers.map((endpoint) => [
      endpoint.name,
      new ContainerClient(endpoint, { timeoutMs: deps.upstreamTimeoutMs ?? 30_000 }),
    ]),
  );
  const collector = new MetricCollector([...clients.values()], logger, deps.concurrency ?? 8);
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', containers: clients.size });
  });
  app.use(metricRoutes(clients, collector, logger));
  app.use(tensorboardRoute(collector, logger));
  app.use(notFoundHandler());
  app.use(problemHandler(logger));
  return app;
}
