import { ContainerKind, type ToolDescription } from '@kiln/api';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { answerProtocolErrors } from '../http/protocol-errors.js';
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
import { MuleRegistry } from '../workers/mule-registry.js';
import { WorkerPool } from '../workers/worker-pool.js';

import type { RunningToolServer } from './tool-server-options.js';

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

/** The server side of `startToolServer` (see lazy-start.ts, which loads this module). */
export async function startToolServer(options: ToolServerOptions): Promise<RunningToolServer> {
  const resolved = resolveToolServerOptions(options);
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
  // Gives the heap back once requests and builds go quiet (see IdleCollector).
  const idle = new IdleCollector();
  events.onAnyArtifact(() => idle.touch());
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
  const collectionPath = definition.collection === 'runs' ? '/runs' : '/artifacts';
  const app = createApp(
    {
      description,
      collectionPath,
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
  );
  void callbacks.resumePending();
  scheduler.kick();
  // Host is checked by the app (a problem document) rather than by Node (a bare 400).
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, requireHostHeader: false },
    app,
  );
  server.on('request', () => idle.touch());
  answerProtocolErrors(server, logger);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(resolved.port, resolved.host, () => done());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info('listening', {
    url,
    tool: description.name,
    dataDir: resolved.dataDir,
    workers: resolved.workers,
    ...(resolved.gpus.length > 0 ? { gpus: resolved.gpus.join(',') } : {}),
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      idle.stop();
      scheduler.close();
      callbacks.close();
      await workers.stop();
      await scheduler.idle();
      await store.close();
    })());
  return { url, port: address.port, description, server, close };
}
