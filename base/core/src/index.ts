/**
 * @module @kiln/core
 * The tool container: any module whose default export is `defineTool({...})` becomes an HTTP
 * service with the artifact API of docs/api.md, a durable queue (SQLite by default, PostgreSQL in
 * cluster mode, behind the `StoreBackend` interfaces) and a pool of on-demand mule processes.
 */
export { defineTool, type ToolDefinition } from './tool/define-tool.js';
export type { BuildContext } from './tool/build-context.js';
export type { ServerHookContext } from './tool/server-hook-context.js';
export { loadToolModule } from './tool/load-tool-module.js';
export { startToolServer } from './server/lazy-start.js';
export { openToolService } from './server/lazy-service.js';
export type { ToolService, ToolServiceHealth, ToolServiceOptions } from './server/tool-service.js';
export {
  parseWorkerCount,
  parseGpuList,
  parseMilliseconds,
  MAX_WORKERS,
  DEFAULT_MULE_IDLE_MS,
} from './server/worker-options.js';
export {
  parseLeaseMs,
  DEFAULT_LEASE_MS,
  type ClusterOptions,
  type ResolvedClusterOptions,
} from './server/cluster-options.js';
export { parseDatabaseUrl, parseDatabaseSchema } from './store/postgres/database-url.js';
export type { StoreBackend } from './store/store-backend.js';
export type { ArtifactIndex } from './store/artifact-index.js';
export type {
  BuildQueue,
  BuildLease,
  BuildCommit,
  ClaimedBuild,
  ClaimOptions,
  RecoveredBuild,
  RenewedLease,
  StopRequest,
} from './store/build-queue.js';
export type {
  IndexedArtifact,
  ArtifactPatch,
  RowPayload,
  BuildInputs,
  CallbackState,
} from './store/artifact-row.js';
export type { EventHub, Unsubscribe } from './events/event-hub.js';
export {
  resolveToolServerOptions,
  DEFAULT_MAX_UPLOAD_BYTES,
  type ToolServerOptions,
  type ResolvedToolServerOptions,
  type RunningToolServer,
} from './server/tool-server-options.js';
export {
  createStreamLogger,
  SILENT_LOGGER,
  LogLevel,
  type Logger,
  type LogMeta,
  type StreamLoggerOptions,
} from '@kiln/api';
export {
  problemHandler,
  notFoundHandler,
  sendProblem,
  type ProblemOptions,
} from './http/problem-handler.js';
export { mountRoutes, type HttpMethod, type QuerySpec, type RouteSpec } from './http/route-spec.js';
export { buildOpenApiDocument, type OpenApiInfo, type OpenApiOptions } from './http/openapi.js';
export { digestOf, describeFiles, hashFile } from './util/data-digest.js';
export { isDiskFull } from './util/disk-space.js';
export { renderSeriesSvg } from './metrics/svg-chart.js';
export { openEventStream, type EventStream } from './http/event-stream.js';
