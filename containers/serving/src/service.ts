/**
 * The serving container as a service of a project (`startService`, see `ServiceContext` in
 * `@kiln/api`): its options from the service's environment, then {@link startServingServer}.
 * `main.ts` runs it as a process of its own; `kiln up` hosts it in its own process
 * (package.json, `kiln.services`); its model versions run in child processes either way.
 */
import { resolve } from 'node:path';
import { createStreamLogger, type ServiceContext, type StartedService } from '@kiln/api';
import { loadTopology, TopologyEnv } from '@kiln/topology';
import { parseWatchList } from './watch/watch-list.js';
import type { BackendName } from './protocol.js';
import { startServingServer } from './start-serving-server.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Starts the serving container from its environment; resolves once it listens. */
export async function startService(context: ServiceContext): Promise<StartedService> {
  const { env } = context;
  const number = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not '${text}'`);
    return value;
  };
  const logger = createStreamLogger({
    stream: context.stderr,
    level: LEVELS.find((level) => level === env['LOG_LEVEL']) ?? 'info',
    format: env['KILN_LOG_FORMAT'] === 'json' ? 'json' : 'text',
  });
  const topology = await loadTopology({
    composeFile: env[TopologyEnv.ComposeFile],
    addresses: env[TopologyEnv.Addresses],
  });
  const server = await startServingServer({
    dataDir: resolve(context.cwd, env['DATA_DIR'] || '.kiln/serving'),
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
    ...(env['KILN_SERVING_URL'] ? { url: env['KILN_SERVING_URL'] } : {}),
  });
  context.stdout.write(`serving listening on ${server.url}\n`);
  return server;
}
