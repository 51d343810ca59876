import { ContainerKind, type ToolDescription } from '@kiln/api';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ArtifactStore } from '../store/artifact-store.js';
import { loadToolModule } from '../tool/load-tool-module.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { MuleRegistry } from '../workers/mule-registry.js';
import { WorkerPool } from '../workers/worker-pool.js';
import { ParameterValidator } from '../validation/parameter-validator.js';
import type { StoreBackend } from '../store/store-backend.js';
import type { ResolvedToolServerOptions } from './tool-server-options.js';
import { databaseSchemaFor, maintenanceIntervalMs } from './cluster-options.js';
import { StoreMaintenance } from './store-maintenance.js';
import { ArtifactCreator } from './artifact-creator.js';
import { BuildScheduler } from './build-scheduler.js';
import { CallbackSender } from './callback-sender.js';
import type { ToolServerContext } from './tool-server-context.js';

/**
 * This process, as the holder of the builds it claims and the owner of its uploads folder:
 * unique across restarts and machines, and safe as a file name.
 */
function replicaId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The backend given, the PostgreSQL one of cluster mode, or none (SQLite in the data folder). */
async function openBackend(
  resolved: ResolvedToolServerOptions,
  toolName: string,
  replica: string,
): Promise<StoreBackend | undefined> {
  if (resolved.backend || resolved.databaseUrl === undefined) return resolved.backend;
  // Loaded only in cluster mode: an embedded container never loads the driver.
  const { openPostgresBackend } = await import('../store/postgres/open-postgres-backend.js');
  return openPostgresBackend({
    url: resolved.databaseUrl,
    schema: databaseSchemaFor(resolved, toolName),
    replica,
    leaseMs: resolved.leaseMs,
    logger: resolved.logger.child({ component: 'database' }),
  });
}

/** The `GET /` description of a definition. */
function describeTool(definition: ToolDefinition, validator: ParameterValidator): ToolDescription {
  return {
    kind: definition.kind ?? ContainerKind.Tool,
    api: 'kiln/v1',
    name: definition.name,
    version: definition.version,
    description: definition.description,
    artifactType: definition.artifactType,
    parameters: validator.schema,
    inputFiles: definition.inputFiles ?? [],
  };
}

/**
 * A tool container without its HTTP server: the store (interrupted builds recovered), the
 * scheduler, the worker pool and the creator, running. `startToolServer` serves it on its own
 * port; `openToolService` hands it to a container that serves it among its own routes.
 */
export interface ToolRuntime {
  context: ToolServerContext;
  definition: ToolDefinition;
  /** This replica's id, as the holder of the builds it claims. */
  replica: string;
  /** Whether the store is shared with other replicas (cluster mode). */
  shared: boolean;
  /** Stops the scheduler, callbacks and mules, and closes the store. */
  close(): Promise<void>;
}

/** Opens the store, recovers interrupted builds and starts the scheduler (mules on demand). */
export async function openToolRuntime(resolved: ResolvedToolServerOptions): Promise<ToolRuntime> {
  const { logger } = resolved;
  const definition = await loadToolModule(resolved.modulePath);
  const validator = new ParameterValidator(definition.parameters);
  const description = describeTool(definition, validator);
  const owner = replicaId();
  // The database first: one that cannot be reached stops the start before anything else.
  const backend = await openBackend(resolved, definition.name, owner);
  // Mules a killed predecessor left running go first: nothing of theirs may reach the folders
  // of the builds recovered below.
  const registry = new MuleRegistry(resolved.dataDir);
  let store: ArtifactStore;
  try {
    await registry.reapOrphans(logger);
    store = await ArtifactStore.open(resolved.dataDir, { backend, replica: owner });
  } catch (error) {
    if (backend !== resolved.backend) await backend?.close();
    throw error;
  }
  const { events } = store;
  const callbacks = new CallbackSender(store, logger);
  const workers = new WorkerPool({
    workers: resolved.workers,
    gpus: resolved.gpus,
    modulePath: resolved.modulePath,
    topology: resolved.topology.toJSON(),
    settings: resolved.settings,
    surroundings: { cwd: resolved.cwd, environment: resolved.environment },
    logger: logger.child({ component: 'mule' }),
    cancelGraceMs: resolved.cancelGraceMs,
    muleStartTimeoutMs: resolved.muleStartTimeoutMs,
    registry,
    muleIdleMs: resolved.muleIdleMs,
    maxBuildsPerMule: resolved.maxBuildsPerMule,
    workWaiting: async () => (await store.queue.countReady()) > 0,
  });
  const scheduler = new BuildScheduler({
    store,
    pool: workers,
    events,
    logger,
    owner,
    timeoutMs: definition.timeoutMs ?? 0,
    leaseMs: resolved.leaseMs,
    onFinal: (summary, callback) => void callbacks.send(summary.name, callback),
  });
  const maintenance = new StoreMaintenance({
    store,
    events,
    logger,
    maxAttempts: resolved.maxAttempts,
    onFinal: (summary) => void callbacks.send(summary.name),
    onQueued: () => scheduler.kick(),
    resumeCallbacks: () => callbacks.resumePending(),
  });
  await maintenance.recoverBuilds();
  if (store.shared) maintenance.start(maintenanceIntervalMs(resolved.leaseMs));
  const creator = new ArtifactCreator({
    toolName: definition.name,
    toolVersion: definition.version,
    inputFiles: description.inputFiles,
    validator,
    store,
    topology: resolved.topology,
    onQueued: (summary) => {
      events.artifactChanged(summary);
      scheduler.kick();
    },
    onCached: (summary) => {
      events.artifactChanged(summary);
      void callbacks.send(summary.name);
    },
  });
  void callbacks.resumePending();
  scheduler.kick();
  return {
    context: {
      description,
      collectionPath: definition.collection === 'runs' ? '/runs' : '/artifacts',
      store,
      scheduler,
      events,
      creator,
      workers,
      logger,
      maxUploadBytes: resolved.maxUploadBytes,
      topology: resolved.topology,
    },
    definition,
    replica: owner,
    shared: store.shared,
    close: async () => {
      await maintenance.stop();
      scheduler.close();
      callbacks.close();
      await workers.stop();
      await scheduler.idle();
      await store.close();
    },
  };
}
