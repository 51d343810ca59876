/**
 * @module @kiln/dashboard
 * The dashboard container: the `/pipelines/` and `/containers/` API and the Lit web UI (built
 * into `dist/public`), over the project's topology.
 */
export { createApp, DEFAULT_STATIC_DIR, type DashboardDeps } from './app.js';
export { ProjectDirectory, type ProjectDirectoryOptions } from './server/project-directory.js';
export {
  PipelineEvents,
  type PipelineEventSink,
  type PipelineEventsClients,
  type PipelineEventsOptions,
} from './server/pipeline-events.js';
export { eventsRoute } from './server/events-route.js';
export { uiRoutes, UI_PAGES, ASSETS_PREFIX } from './server/ui-routes.js';
