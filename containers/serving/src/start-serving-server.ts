import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from './app.js';
import { inferFastPath } from './http/infer-fast-path.js';
import type { ServingContext } from './http/serving-context.js';
import { ServingEvents } from './events/serving-events.js';
import { InferenceService } from './inference/inference-service.js';
import { ArtifactFetcher } from './registry/artifact-fetcher.js';
import { ModelRegistry } from './registry/model-registry.js';
import {
  resolveServingOptions,
  type RunningServingServer,
  type ServingOptions,
} from './serving-options.js';
import { PredictionStore } from './store/prediction-store.js';
import { RegistryStore } from './store/registry-store.js';
import { openServingDatabase } from './store/serving-database.js';
import { PipelineWatcher } from './watch/pipeline-watcher.js';

/** The serving container's version, in `GET /` and OIP server metadata. */
export const SERVING_VERSION = '1.0.0';

/**
 * Starts a serving container in this process: opens its database, loads the versions its
 * aliases hold (each in its own model process), resumes interrupted registrations, starts the
 * pipeline watchers and listens.
 *
 * @example
 * ```ts
 * const serving = await startServingServer({ dataDir: '/tmp/serving', port: 0 });
 * console.log(serving.url);
 * await serving.close();
 * ```
 */
export async function startServingServer(options: ServingOptions): Promise<RunningServingServer> {
  const resolved = resolveServingOptions(options);
  const { logger } = resolved;
  const client = { topology: resolved.topology };
  const db = openServingDatabase(resolved.dataDir);
  const store = new RegistryStore(db);
  const predictions = new PredictionStore(db, resolved.maxPredictions);
  const events = new ServingEvents();
  const registry = new ModelRegistry({
    dataDir: resolved.dataDir,
    store,
    fetcher: new ArtifactFetcher(join(resolved.dataDir, 'datasets'), client),
    events,
    logger,
    backend: resolved.backend,
    batching: { maxBatchSize: resolved.maxBatchSize, maxDelayMs: resolved.maxBatchDelayMs },
    benchmarkRuns: resolved.benchmarkRuns,
    maxAttempts: resolved.maxAttempts,
  });
  const context = {
    description: {
      kind: 'serving' as const,
      api: 'kiln/v1',
      name: resolved.name,
      version: SERVING_VERSION,
      description:
        'Serves the models a pipeline makes: versions and aliases, one process per loaded version, hot swap, batching, the Open Inference Protocol',
    },
    registry,
    inference: new InferenceService(registry, predictions, events),
    predictions,
    events,
    dataDir: resolved.dataDir,
    limits: {
      maxBodyBytes: resolved.maxBodyBytes,
      maxImageBytes: resolved.maxImageBytes,
      maxImagePixels: resolved.maxImagePixels,
    },
    logger,
  } satisfies ServingContext;
  const app = createApp(context);
  const fastInfer = inferFastPath(context);
  await registry.restore();
  const watchers = resolved.watch.map(
    (watch) =>
      new PipelineWatcher({
        watch,
        registry,
        client,
        logger: logger.child({ watch: watch.model }),
      }),
  );
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    if (!fastInfer(req, res)) app(req, res);
  });
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(resolved.port, resolved.host, () => done());
    });
  } catch (error) {
    await registry.close();
    db.close();
    throw error;
  }
  for (const watcher of watchers) watcher.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info('listening', { url, dataDir: resolved.dataDir, models: registry.modelNames() });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      await Promise.all(watchers.map((watcher) => watcher.stop()));
      await registry.close();
      db.close();
    })());
  return { url, port: address.port, close };
}
