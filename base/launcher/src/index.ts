/**
 * @module @kiln/launcher
 * The embedded launcher behind `npm start` (`kiln up`): reads `docker-compose.yml`, the single
 * description of a project's topology, and runs every service as a local process on loopback.
 * See docs/launcher.md.
 */
export {
  startProject,
  DEFAULT_RESTART_POLICY,
  type StartProjectOptions,
} from './runtime/start-project.js';
export type { ProjectHandle, RunningService } from './runtime/project-handle.js';
export { ServiceState, type ServiceEvent, type RestartPolicy } from './runtime/service-runner.js';
export {
  loadComposeFile,
  validateCompose,
  DEFAULT_COMPOSE_SCHEMA_PATH,
  type LoadComposeOptions,
} from './compose/load-compose-file.js';
export { interpolate, type VariableSource } from './compose/interpolate.js';
export type { ComposeFile, ComposeService, KilnServiceExtension } from './compose/compose-types.js';
export { resolveTopology } from './topology/resolve-topology.js';
export { rewriteServiceUrls } from './topology/local-urls.js';
export {
  DependencyCondition,
  type ProjectTopology,
  type ServiceSpec,
} from './topology/service-spec.js';
export { LauncherError, LauncherErrorCode } from './launcher-error.js';
