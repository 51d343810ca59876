import { ContainerKind, type ToolDescription } from '@kiln/api';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ArtifactStore } from '../store/artifact-store.js';
import { loadToolModule } from '../tool/load-tool-module.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { MuleRegistry } from '../workers/mule-registry.js';
import { WorkerPool } from '../workers/worker-pool.js';
import { ParameterValidator } from '../validation/parameter-validator.js';
import type { ResolvedToolServerOptions } from './tool-server-options.js';
import { ArtifactCreator } from './artifact-creator.js';
import { BuildScheduler } from './build-scheduler.js';
import { CallbackSender } from './callback-sender.js';
import type { ToolServerContext } from './tool-server-context.js';

/**
 * How long a build's lease lasts unless renewed. The SQLite index has one process holding every
 * lease, so this matters only to a shared database, where a dead replica's builds are taken over
 * once their lease runs out.
 */
const LEASE_MS = 30_000;

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
  /** Stops the scheduler, callbacks and mules, and closes the store. */
  close(): Promise<void>;
}

/** Opens the store, recovers interrupted builds and starts the scheduler (mules on demand). */
export async function openToolRuntime(resolved: ResolvedToolServerOptions): Promise<ToolRuntime> {
  const { logger } = resolved;
  const definition = await loadToolModule(resolved.modulePath);
  const validator = new ParameterValidator(definition.parameters);
  const description = describeTool(definition, validator);
  // Mules a killed predecessor left running go first: nothing of theirs may reach the folders
  // of the builds recovered below.
  const registry = new MuleRegistry(resolved.dataDir);
  await registry.reapOrphans(logger);
  const store = await ArtifactStore.open(resolved.dataDir, resolved.backend);
  const { events } = store;
  // This process, as the holder of the builds it claims (unique across restarts and machines).
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const callbacks = new CallbackSender(store, logger);
  for (const { summary } of await store.recoverInterrupted(owner, resolved.maxAttempts)) {
    logger.info('recovered an interrupted build', {
      artifact: summary.name,
      status: summary.status,
      attempt: summary.attempt,
    });
    if (summary.status === 'failed') void callbacks.send(summary.name);
  }
  const workers = new WorkerPool({
    workers: resolved.workers,
    gpus: resolved.gpus,
    modulePath: resolved.modulePath,
    topology: resolved.topology.toJSON(),
    settings: resolved.settings,
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
    leaseMs: LEASE_MS,
    onFinal: (summary) => void callbacks.send(summary.name),
  });
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
    close: async () => {
      scheduler.close();
      callbacks.close();
      await workers.stop();
      await scheduler.idle();
      await store.close();
    },
  };
}
