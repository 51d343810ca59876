/**
 * @module @kiln/dashboard
 * The dashboard container: the `/pipelines/` API and the Lit web UI (built into `dist/public`).
 */
export { createApp, DEFAULT_STATIC_DIR, type DashboardDeps } from './app.js';
export {
  PipelineDirectory,
  type DashboardPipelineListing,
  type PipelineDirectoryOptions,
} from './server/pipeline-directory.js';
export {
  PipelineEvents,
  type PipelineEventSink,
  type PipelineEventsOptions,
} from './server/pipeline-events.js';
export { eventsRoute } from './server/events-route.js';
export { readSse, type SseEvent } from './server/sse-parser.js';
export { parseServiceUrls, type ServiceEndpoint } from './server/service-urls.js';
export { uiRoutes, UI_PAGES, ASSETS_PREFIX } from './server/ui-routes.js';
