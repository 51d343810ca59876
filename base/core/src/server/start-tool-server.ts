import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerProtocolErrors } from '../http/protocol-errors.js';
import { IdleCollector } from '../util/idle-collector.js';
import { resolveToolServerOptions, type ToolServerOptions } from './tool-server-options.js';
import { createApp } from './create-app.js';
import { openToolRuntime } from './tool-runtime.js';

import type { RunningToolServer } from './tool-server-options.js';

/** The server side of `startToolServer` (see lazy-start.ts, which loads this module). */
export async function startToolServer(options: ToolServerOptions): Promise<RunningToolServer> {
  const resolved = resolveToolServerOptions(options);
  const { logger } = resolved;
  const runtime = await openToolRuntime(resolved);
  const { context: ctx, definition } = runtime;
  // Gives the heap back once requests and builds go quiet (see IdleCollector).
  const idle = new IdleCollector();
  ctx.events.onAnyArtifact(() => idle.touch());
  const app = createApp(ctx, definition);
  // Host is checked by the app (a problem document) rather than by Node (a bare 400).
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, requireHostHeader: false },
    app,
  );
  server.on('request', () => idle.touch());
  answerProtocolErrors(server, logger);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      idle.stop();
      await runtime.close();
    })());
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(resolved.port, resolved.host, () => done());
    });
  } catch (error) {
    // Nothing half started: a port already taken leaves no store open and no mule running.
    await close().catch(() => undefined);
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info('listening', {
    url,
    tool: ctx.description.name,
    dataDir: resolved.dataDir,
    workers: resolved.workers,
    ...(resolved.gpus.length > 0 ? { gpus: resolved.gpus.join(',') } : {}),
    ...(runtime.shared ? { replica: runtime.replica } : {}),
  });
  return { url, port: address.port, description: ctx.description, server, close };
}
