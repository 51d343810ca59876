import { Kiln } from '@kiln/client';
import type { Logger } from '@kiln/core';
import { notFoundHandler, problemHandler, SILENT_LOGGER } from '@kiln/core';
import { Topology, type TopologyDescription } from '@kiln/topology';
import express, { type Express } from 'express';
import { fileURLToPath } from 'node:url';
import { eventsRoute } from './server/events-route.js';
import {
  PipelineEvents,
  type PipelineEventsClients,
  type PipelineEventsOptions,
} from './server/pipeline-events.js';
import { ProjectDirectory, type ProjectDirectoryOptions } from './server/project-directory.js';
import { uiRoutes } from './server/ui-routes.js';

/** The folder the UI bundle is built into (`dist/public`, beside this file once compiled). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** What {@link createApp} needs. */
export interface DashboardDeps {
  /**
   * The project's topology (`@kiln/topology`, read from `docker-compose.yml`): every service
   * whose role is `container` is listed; those that say `kind: "pipeline"` are its pipelines.
   */
  topology: Topology | TopologyDescription;
  /** @defaultValue SILENT_LOGGER */
  logger?: Logger;
  /**
   * The built UI (`index.html`, `assets/`).
   * @defaultValue DEFAULT_STATIC_DIR
   */
  staticDir?: string;
  /** How containers are asked what they are, and how long answers are kept. */
  directory?: ProjectDirectoryOptions;
  /** How the merged event streams reconnect to containers. */
  events?: PipelineEventsOptions;
}

/**
 * The dashboard's express app: `GET /pipelines/` (docs/api.md, Dashboard and gateway),
 * `GET /containers/` (every container of the project), `GET /pipelines/{name}/events` (one
 * event stream for a whole pipeline), the web UI at `/` and `/signin` with its assets under
 * `/assets/`, and `GET /health`.
 *
 * @example
 * ```ts
 * const app = createApp({ topology: await loadTopology({ composeFile: 'docker-compose.yml' }) });
 * app.listen(8080);
 * ```
 */
export function createApp(deps: DashboardDeps): Express {
  const logger = deps.logger ?? SILENT_LOGGER;
  const topology = Topology.from(deps.topology);
  const directory = new ProjectDirectory(topology, logger, deps.directory);
  const streams = new Map<string, PipelineEvents>();
  const streamOf = async (name: string): Promise<PipelineEvents | undefined> => {
    if (!(await directory.mayBePipeline(name))) return undefined;
    let stream = streams.get(name);
    if (!stream) {
      stream = new PipelineEvents(name, eventClients(topology, name), logger, deps.events);
      streams.set(name, stream);
    }
    return stream;
  };
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', containers: directory.size });
  });
  app.get('/pipelines', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await directory.pipelines());
  });
  app.get('/containers', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await directory.containers());
  });
  app.use(eventsRoute(streamOf));
  app.use(uiRoutes(deps.staticDir ?? DEFAULT_STATIC_DIR));
  app.use(notFoundHandler());
  app.use(problemHandler(logger));
  return app;
}

/** The clients a pipeline's merged stream reads with: no timeout (streams stay open), no retries. */
function eventClients(topology: Topology, pipeline: string): PipelineEventsClients {
  const options = { topology, timeout: 0, retries: 0 };
  const service = topology.service(pipeline)!;
  return {
    pipeline: Kiln.direct(service.url, { ...options, timeout: 10_000 }).pipeline(),
    container: (url: string) => Kiln.direct(url, options).container(),
  };
}
