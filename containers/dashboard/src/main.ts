import { createStreamLogger } from '@kiln/core';
import { createApp } from './app.js';
import { parseServiceUrls } from './server/service-urls.js';

// The container's entry: the only place that reads the environment.
const logger = createStreamLogger({
  level: process.env['LOG_LEVEL'] === 'debug' ? 'debug' : 'info',
});
const pipelines = parseServiceUrls(process.env['KILN_PIPELINE_URLS'] ?? '');
const port = Number(process.env['PORT'] || 8080);
const host = process.env['HOST'] || '127.0.0.1';

const server = createApp({ pipelines, logger }).listen(port, host, () => {
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
