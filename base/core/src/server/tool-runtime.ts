import { ContainerKind, type ToolDescription } from '@kiln/api';
import { ArtifactStore } from '../store/artifact-store.js';
import { loadToolModule } from '../tool/load-tool-module.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { ParameterValidator } from '../validation/parameter-validator.js';
import type { ResolvedToolServerOptions } from './tool-server-options.js';
import { ArtifactCreator } from './artifact-creator.js';
import { BuildScheduler } from './build-scheduler.js';
import { CallbackSender } from './callback-sender.js';
import { EventHub } from './event-hub.js';
import { MuleSupervisor } from './mule-supervisor.js';
import type { ToolServerContext } from './tool-server-context.js';

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
 * scheduler, the mule and the creator, running. `startToolServer` serves it on its own port;
 * `openToolService` hands it to a container that serves it among its own routes.
 */
export interface ToolRuntime {
  context: ToolServerContext;
  definition: ToolDefinition;
  /** Stops the scheduler, callbacks and mule, and closes the store. */
  close(): Promise<void>;
}

/** Opens the store, recovers interrupted builds and starts the mule and the scheduler. */
export async function openToolRuntime(resolved: ResolvedToolServerOptions): Promise<ToolRuntime> {
  const { logger } = resolved;
  const definition = await loadToolModule(resolved.modulePath);
  const validator = new ParameterValidator(definition.parameters);
  const description = describeTool(definition, validator);
  const store = await ArtifactStore.open(resolved.dataDir);
  const events = new EventHub();
  const callbacks = new CallbackSender(store, logger);
  for (const summary of await store.recoverInterrupted(resolved.maxAttempts)) {
    logger.info('recovered an interrupted build', {
      artifact: summary.name,
      status: summary.status,
      attempt: summary.attempt,
    });
    if (summary.status === 'failed') callbacks.send(summary.name);
  }
  let scheduler: BuildScheduler | null = null;
  const mule = new MuleSupervisor({
    modulePath: resolved.modulePath,
    topology: resolved.topology.toJSON(),
    settings: resolved.settings,
    logger: logger.child({ component: 'mule' }),
    cancelGraceMs: resolved.cancelGraceMs,
    maxBuildsPerMule: resolved.maxBuildsPerMule,
    onAvailability: (ready) => {
      if (ready) scheduler?.kick();
    },
  });
  scheduler = new BuildScheduler({
    store,
    mule,
    events,
    logger,
    timeoutMs: definition.timeoutMs ?? 0,
    onFinal: (summary) => callbacks.send(summary.name),
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
      scheduler?.kick();
    },
    onCached: (summary) => {
      events.artifactChanged(summary);
      callbacks.send(summary.name);
    },
  });
  try {
    await mule.start();
  } catch (error) {
    await mule.stop();
    await store.close();
    throw error;
  }
  callbacks.resumePending();
  scheduler.kick();
  const context: ToolServerContext = {
    description,
    collectionPath: definition.collection === 'runs' ? '/runs' : '/artifacts',
    store,
    scheduler,
    events,
    creator,
    mule,
    logger,
    maxUploadBytes: resolved.maxUploadBytes,
    topology: resolved.topology,
  };
  const running = scheduler;
  return {
    context,
    definition,
    close: async () => {
      running.close();
      callbacks.close();
      await mule.stop();
      await running.idle();
      await store.close();
    },
  };
}
