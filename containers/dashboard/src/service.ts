/**
 * The dashboard as a service of a project (`startService`, see `ServiceContext` in `@kiln/api`):
 * `main.ts` runs it as a process of its own; `kiln up` hosts it in its own process
 * (package.json, `kiln.services`). PORT (8080), HOST (127.0.0.1), LOG_LEVEL, and the project's
 * topology (KILN_COMPOSE_FILE, KILN_SERVICE_ADDRESSES; see @kiln/topology).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStreamLogger, type ServiceContext, type StartedService } from '@kiln/api';
import { loadTopology, TopologyEnv } from '@kiln/topology';
import { createApp } from './app.js';

/** Starts the dashboard from its environment; resolves once it listens. */
export async function startService(context: ServiceContext): Promise<StartedService> {
  const { env } = context;
  const logger = createStreamLogger({
    stream: context.stderr,
    level: env['LOG_LEVEL'] === 'debug' ? 'debug' : 'info',
  });
  // The project's containers and pipelines, from its compose file (see @kiln/topology).
  const topology = await loadTopology({
    composeFile: env[TopologyEnv.ComposeFile],
    addresses: env[TopologyEnv.Addresses],
  });
  const host = env['HOST'] || '127.0.0.1';
  const server = createServer(createApp({ topology, logger }));
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(Number(env['PORT'] || 8080), host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  context.stdout.write(`dashboard listening on ${url}\n`);
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        // Ending the browsers' event streams also closes the pipelines' streams they read.
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
