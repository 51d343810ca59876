import { ContainerKind, type ToolDescription } from '@kiln/api';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { SILENT_LOGGER, type Logger } from '../logging/logger.js';
import { ArtifactStore } from '../store/artifact-store.js';
import { loadToolModule } from '../tool/load-tool-module.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { ParameterValidator } from '../validation/parameter-validator.js';
import { ArtifactCreator } from './artifact-creator.js';
import { BuildScheduler } from './build-scheduler.js';
import { CallbackSender } from './callback-sender.js';
import { createApp } from './create-app.js';
import { EventHub } from './event-hub.js';
import { MuleSupervisor } from './mule-supervisor.js';

/** How to run a tool container. Every option but `modulePath` and `dataDir` has a default. */
export interface ToolServerOptions {
  /** The tool module: its default export is `defineTool({...})`. */
  modulePath: string;
  /** The data folder (`/data` in a container). */
  dataDir: string;
  /** @defaultValue 8080; 0 picks a free port */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue SILENT_LOGGER */
  logger?: Logger;
  /** Largest accepted input file. @defaultValue 4 GiB */
  maxUploadBytes?: number;
  /** Grace after a cancel before SIGTERM, and again before SIGKILL. @defaultValue 5000 */
  cancelGraceMs?: number;
  /** Builds before a mule is replaced; 0 never. @defaultValue 0 */
  maxBuildsPerMule?: number;
  /** Attempts before an artifact interrupted by restarts fails. @defaultValue 3 */
  maxAttempts?: number;
}

export type ResolvedToolServerOptions = Required<ToolServerOptions>;

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

/** Fills in the defaults. */
export function resolveToolServerOptions(options: ToolServerOptions): ResolvedToolServerOptions {
  return {
    modulePath: resolve(options.modulePath),
    dataDir: resolve(options.dataDir),
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    logger: options.logger ?? SILENT_LOGGER,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    cancelGraceMs: options.cancelGraceMs ?? 5_000,
    maxBuildsPerMule: options.maxBuildsPerMule ?? 0,
    maxAttempts: options.maxAttempts ?? 3,
  };
}

/** A running tool container. */
export interface RunningToolServer {
  url: string;
  port: number;
  description: ToolDescription;
  server: Server;
  /** Stops listening, ends open streams, stops the mule and closes the store. */
  close(): Promise<void>;
}

/** The `GET /` description of a definition. */
export function describeTool(definition: ToolDefinition, validator: ParameterValidator): ToolDescription {
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
 * Starts a tool container in this process: opens the store, recovers interrupted builds, forks
 * the mule and listens.
 *
 * @example
 * ```ts
 * const server = await startToolServer({ modulePath: 'dist/tool.js', dataDir: '/tmp/data', port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function startToolServer(options: ToolServerOptions): Promise<RunningToolServer> {
  const resolved = resolveToolServerOptions(options);
  const { logger } = resolved;
  const definition = await loadToolModule(resolved.modulePath);
  const validator = new ParameterValidator(definition.parameters);
  const description = describeTool(definition, validator);
  const store = await ArtifactStore.open(resolved.dataDir);
  const events = new EventHub();
  const callbacks = new CallbackSender(store, logger);
  for (const summary of await store.recoverInterrupted(resolved.maxAttempts)) {
    logger.info('recovered an interrupted build', { artifact: summary.name, status: summary.status, attempt: summary.attempt });
    if (summary.status === 'failed') callbacks.send(summary.name);
  }
  let scheduler: BuildScheduler | null = null;
  const mule = new MuleSupervisor({
    modulePath: resolved.modulePath,
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
    { description, collectionPath, store, scheduler, events, creator, mule, logger, maxUploadBytes: resolved.maxUploadBytes },
    definition,
  );
  try {
    await mule.start();
  } catch (error) {
    await mule.stop();
    store.close();
    throw error;
  }
  callbacks.resumePending();
  scheduler.kick();
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, app);
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
      scheduler.close();
      callbacks.close();
      await mule.stop();
      await scheduler.idle();
      store.close();
    })());
  return { url, port: address.port, description, server, close };
}
