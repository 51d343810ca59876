import type { Logger } from '@kiln/core';
import { notFoundHandler, problemHandler, SILENT_LOGGER } from '@kiln/core';
import express, { type Express } from 'express';
import { fileURLToPath } from 'node:url';
import { eventsRoute } from './server/events-route.js';
import { PipelineDirectory, type PipelineDirectoryOptions } from './server/pipeline-directory.js';
import { PipelineEvents, type PipelineEventsOptions } from './server/pipeline-events.js';
import type { ServiceEndpoint } from './server/service-urls.js';
import { uiRoutes } from './server/ui-routes.js';

/** The folder the UI bundle is built into (`dist/public`, beside this file once compiled). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** What {@link createApp} needs. */
export interface DashboardDeps {
  /** The project's pipelines; each name is the container name the gateway routes. */
  pipelines: readonly ServiceEndpoint[];
  /** @defaultValue SILENT_LOGGER */
  logger?: Logger;
  /**
   * The built UI (`index.html`, `assets/`).
   * @defaultValue DEFAULT_STATIC_DIR
   */
  staticDir?: string;
  /** How pipelines' tasks are fetched and cached. */
  directory?: PipelineDirectoryOptions;
  /** How the merged event streams reconnect to containers. */
  events?: PipelineEventsOptions;
}

/**
 * The dashboard's express app: `GET /pipelines/` (docs/api.md, Dashboard and gateway),
 * `GET /pipelines/{name}/events` (one event stream for a whole pipeline), the web UI at `/`
 * and `/signin` with its assets under `/assets/`, and `GET /health`.
 *
 * @example
 * ```ts
 * const app = createApp({ pipelines: parseServiceUrls('fashion-mnist=http://127.0.0.1:8081') });
 * app.listen(8080);
 * ```
 */
export function createApp(deps: DashboardDeps): Express {
  const logger = deps.logger ?? SILENT_LOGGER;
  const directory = new PipelineDirectory(deps.pipelines, logger, deps.directory);
  const streams = new Map(
    deps.pipelines.map((p) => [p.name, new PipelineEvents(p, logger, deps.events)]),
  );
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', pipelines: deps.pipelines.length });
  });
  app.get('/pipelines', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await directory.list());
  });
  app.use(eventsRoute(streams));
  app.use(uiRoutes(deps.staticDir ?? DEFAULT_STATIC_DIR));
  app.use(notFoundHandler());
  app.use(problemHandler(logger));
  return app;
}
