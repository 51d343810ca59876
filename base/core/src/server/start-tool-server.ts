import { ContainerKind, type ToolDescription } from '@kiln/api';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArtifactStore } from '../store/artifact-store.js';
import { loadToolModule } from '../tool/load-tool-module.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { IdleCollector } from '../util/idle-collector.js';
import { ParameterValidator } from '../validation/parameter-validator.js';
import { resolveToolServerOptions, type ToolServerOptions } from './tool-server-options.js';
import { ArtifactCreator } from './artifact-creator.js';
import { BuildScheduler } from './build-scheduler.js';
import { CallbackSender } from './callback-sender.js';
import { createApp } from './create-app.js';
import { EventHub } from './event-hub.js';
import { MuleSupervisor } from './mule-supervisor.js';

import type { RunningToolServer } from './tool-server-options.js';

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

/** The server side of `startToolServer` (see lazy-start.ts, which loads this module). */
export async function startToolServer(options: ToolServerOptions): Promise<RunningToolServer> {
  const resolved = resolveToolServerOptions(options);
  const { logger } = resolved;
  const definition = await loadToolModule(resolved.modulePath);
  const validator = new ParameterValidator(definition.parameters);
  const description = describeTool(definition, validator);
  const store = await ArtifactStore.open(resolved.dataDir);
  const events = new EventHub();
  // Gives the heap back once requests and builds go quiet (see IdleCollector).
  const idle = new IdleCollector();
  events.onAnyArtifact(() => idle.touch());
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
  const collectionPath = definition.collection === 'runs' ? '/runs' : '/artifacts';
  const app = createApp(
    {
      description,
      collectionPath,
      store,
      scheduler,
      events,
      creator,
      mule,
      logger,
      maxUploadBytes: resolved.maxUploadBytes,
      topology: resolved.topology,
    },
    definition,
  );
  try {
    await mule.start();
  } catch (error) {
    await mule.stop();
    await store.close();
    throw error;
  }
  callbacks.resumePending();
  scheduler.kick();
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, app);
  server.on('request', () => idle.touch());
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(resolved.port, resolved.host, () => done());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info('listening', { url, tool: description.name, dataDir: resolved.dataDir });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      idle.stop();
      scheduler.close();
      callbacks.close();
      await mule.stop();
      await scheduler.idle();
      await store.close();
    })());
  return { url, port: address.port, description, server, close };
}
