import type { RunningToolServer, ToolServerOptions } from './tool-server-options.js';

/**
 * Starts a tool container in this process: opens the store, recovers interrupted builds and
 * listens; mules are forked when work arrives.
 *
 * The server stack (express, multer, SQLite, ajv) is imported here on first use rather than by
 * `@kiln/core`'s entry, because every tool module imports that entry: a mule, which loads the
 * module, must stay small.
 *
 * @example
 * ```ts
 * const server = await startToolServer({ modulePath: 'dist/tool.js', dataDir: '/tmp/data', port: 0 });
 * process.stdout.write(`${server.url}\n`);
 * await server.close();
 * ```
 */
export async function startToolServer(options: ToolServerOptions): Promise<RunningToolServer> {
  const server = await import('./start-tool-server.js');
  return server.startToolServer(options);
}
