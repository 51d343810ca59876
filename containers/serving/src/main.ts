import { createStreamLogger } from '@kiln/core';
import { loadTopology, TopologyEnv } from '@kiln/topology';
import { parseWatchList } from './watch/watch-list.js';
import type { BackendName } from './protocol.js';
import { startServingServer } from './start-serving-server.js';

// The container's entry: the only place that reads the environment.
const env = process.env;
const number = (name: string): number | undefined => {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    console.error(`serving: ${name} must be a number, not '${text}'`);
    process.exit(2);
  }
  return value;
};

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const logger = createStreamLogger({
  level: LEVELS.find((level) => level === env['LOG_LEVEL']) ?? 'info',
  format: env['KILN_LOG_FORMAT'] === 'json' ? 'json' : 'text',
});

try {
  const topology = await loadTopology({
    composeFile: env[TopologyEnv.ComposeFile],
    addresses: env[TopologyEnv.Addresses],
  });
  const server = await startServingServer({
    dataDir: env['DATA_DIR'] || '.kiln/serving',
    port: number('PORT') ?? 8080,
    host: env['HOST'] || '127.0.0.1',
    logger,
    backend: (env['KILN_SERVING_BACKEND'] || 'auto') as BackendName,
    maxBatchSize: number('KILN_SERVING_MAX_BATCH_SIZE'),
    maxBatchDelayMs: number('KILN_SERVING_MAX_BATCH_DELAY_MS'),
    maxBodyBytes: number('KILN_SERVING_MAX_BODY_BYTES'),
    maxImageBytes: number('KILN_MAX_UPLOAD_BYTES'),
    maxImagePixels: number('KILN_SERVING_MAX_IMAGE_PIXELS'),
    maxPredictions: number('KILN_SERVING_MAX_PREDICTIONS'),
    watch: parseWatchList(env['KILN_SERVING_WATCH'], topology),
    topology,
  });
  console.log(`serving listening on ${server.url}`);
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  console.error(`serving: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
