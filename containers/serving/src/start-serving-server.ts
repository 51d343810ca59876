import { serviceUrl, type Topology } from '@kiln/topology';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { inferFastPath } from './http/infer-fast-path.js';
import type { ServingContext } from './http/serving-context.js';
import {
  resolveServingOptions,
  type RunningServingServer,
  type ServingOptions,
} from './serving-options.js';
import { openServingParts, toolFields } from './serving-parts.js';
import { PipelineWatcher } from './watch/pipeline-watcher.js';

/** The serving container's version, in `GET /` and OIP server metadata. */
export const SERVING_VERSION = '1.0.0';

/**
 * The URL other containers reach this one by: the one it was given; else its compose URL when
 * the topology places a service at the address it listens on, or has a service of its name;
 * else the address it listens on.
 */
function advertisedUrl(
  listening: string,
  name: string,
  topology: Topology,
  given?: string,
): string {
  if (given) return given.replace(/\/+$/, '');
  const canonical = topology.canonical(listening);
  if (canonical !== listening) return canonical;
  return topology.service(name) ? serviceUrl(name) : listening;
}

/**
 * Starts a serving container in this process: opens its database, loads the versions its
 * aliases hold (each in its own model process), resumes interrupted registrations and
 * retraining runs, starts the pipeline watchers and listens.
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
  const parts = await openServingParts(resolved);
  const { registry, retrainer, snapshots } = parts;
  const context = {
    ...parts.context,
    description: {
      kind: 'serving' as const,
      api: 'kiln/v1',
      name: resolved.name,
      version: SERVING_VERSION,
      description:
        'Serves the models a pipeline makes (versions and aliases, one process per loaded version, hot swap, batching, the Open Inference Protocol), keeps every prediction, takes feedback, and retrains at a threshold behind a gate; its artifacts are snapshots of the labels',
      ...toolFields(snapshots),
    },
  } satisfies ServingContext;
  const app = createApp(context);
  const fastInfer = inferFastPath(context);
  await registry.restore();
  const client = { topology: resolved.topology };
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
    await parts.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  parts.setUrl(advertisedUrl(url, resolved.name, resolved.topology, resolved.url));
  for (const watcher of watchers) watcher.start();
  // Runs a restart interrupted go on once the snapshots' URL is known.
  retrainer.restore();
  logger.info('listening', { url, dataDir: resolved.dataDir, models: registry.modelNames() });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      await Promise.all(watchers.map((watcher) => watcher.stop()));
      await parts.close();
    })());
  return { url, port: address.port, close };
}
