import { Kiln } from '@kiln/client';
import type { Logger } from '@kiln/core';
import { notFoundHandler, problemHandler, SILENT_LOGGER } from '@kiln/core';
import { ServiceRole, Topology, type TopologyDescription } from '@kiln/topology';
import express, { type Express } from 'express';
import { MetricCollector } from './metrics/metric-collector.js';
import { metricRoutes } from './routes/metric-routes.js';
import { tensorboardRoute } from './routes/tensorboard-route.js';
import { ContainerMetrics } from './upstream/container-metrics.js';

/** What {@link createApp} needs. */
export interface VisualizationDeps {
  /**
   * The project's topology (`@kiln/topology`): the metrics of every artifact container of it
   * (role `container`: tools and pipelines) are gathered, each reached where the topology says.
   */
  topology: Topology | TopologyDescription;
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
 * const app = createApp({ topology: await loadTopology({ composeFile: 'docker-compose.yml' }) });
 * app.listen(8080);
 * ```
 */
export function createApp(deps: VisualizationDeps): Express {
  const logger = deps.logger ?? SILENT_LOGGER;
  const topology = Topology.from(deps.topology);
  const options = { topology, timeout: deps.upstreamTimeoutMs ?? 30_000, retries: 0 };
  const clients = new Map(
    topology
      .withRole(ServiceRole.Container)
      .map((service) => [
        service.name,
        new ContainerMetrics(service.name, Kiln.direct(service.url, options)),
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
