import { createStreamLogger } from '@kiln/core';
import { loadTopology, TopologyEnv } from '@kiln/topology';
import { createApp } from './app.js';

// The container's entry: the only place that reads the environment.
const logger = createStreamLogger({
  level: process.env['LOG_LEVEL'] === 'debug' ? 'debug' : 'info',
});
// The project's containers and pipelines, from its compose file (see @kiln/topology).
const topology = await loadTopology({
  composeFile: process.env[TopologyEnv.ComposeFile],
  addresses: process.env[TopologyEnv.Addresses],
});
const port = Number(process.env['PORT'] || 8080);
const host = process.env['HOST'] || '127.0.0.1';

const server = createApp({ topology, logger }).listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`dashboard listening on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
