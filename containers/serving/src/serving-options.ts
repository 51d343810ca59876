import { SILENT_LOGGER, type Logger } from '@kiln/api';
import { Topology, type TopologyDescription } from '@kiln/topology';
import { resolve } from 'node:path';
import type { BackendName } from './protocol.js';
import type { PipelineWatch } from './watch/pipeline-watch.js';

/** How to run a serving container. Every option but `dataDir` has a default. */
export interface ServingOptions {
  /** The data folder (`/data` in a container): the database, the models' files. */
  dataDir: string;
  /** @defaultValue 8080; 0 picks a free port */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue SILENT_LOGGER */
  logger?: Logger;
  /** The container's name in `GET /` and OIP server metadata. @defaultValue 'serving' */
  name?: string;
  /** TensorFlow.js backend of the model processes. @defaultValue 'auto' (the fastest that loads) */
  backend?: BackendName;
  /** The most images one batch holds; 1 turns batching off. @defaultValue 32 */
  maxBatchSize?: number;
  /**
   * How long a request may wait for others to join its batch while the model is idle (ms).
   * Under load, requests batch without it. @defaultValue 0
   */
  maxBatchDelayMs?: number;
  /** Largest JSON body (413 above). @defaultValue 1 MiB */
  maxBodyBytes?: number;
  /** Largest uploaded image file (413 above). @defaultValue 20 MiB */
  maxImageBytes?: number;
  /** Most pixels an uploaded image may have (413 above). @defaultValue 40,000,000 */
  maxImagePixels?: number;
  /** Predictions kept; the oldest beyond this are removed. @defaultValue 1,000,000 */
  maxPredictions?: number;
  /** Single-image predictions timed when a version registers. @defaultValue 200 */
  benchmarkRuns?: number;
  /** Registrations interrupted by restarts before a version fails. @defaultValue 3 */
  maxAttempts?: number;
  /** Pipelines whose first completed run's model is served automatically. @defaultValue [] */
  watch?: PipelineWatch[];
  /**
   * The project's topology, through which every URL this container opens is resolved: artifact
   * URLs in compose form (`http://train:8080/artifacts/…/`) and the watched pipelines.
   * @defaultValue none: every URL is opened as it is
   */
  topology?: Topology | TopologyDescription;
}

export type ResolvedServingOptions = Required<Omit<ServingOptions, 'topology'>> & {
  topology: Topology;
};

/** Fills in the defaults and checks the numbers. */
export function resolveServingOptions(options: ServingOptions): ResolvedServingOptions {
  const resolved: ResolvedServingOptions = {
    dataDir: resolve(options.dataDir),
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    logger: options.logger ?? SILENT_LOGGER,
    name: options.name ?? 'serving',
    backend: options.backend ?? 'auto',
    maxBatchSize: options.maxBatchSize ?? 32,
    maxBatchDelayMs: options.maxBatchDelayMs ?? 0,
    maxBodyBytes: options.maxBodyBytes ?? 1024 ** 2,
    maxImageBytes: options.maxImageBytes ?? 20 * 1024 ** 2,
    maxImagePixels: options.maxImagePixels ?? 40_000_000,
    maxPredictions: options.maxPredictions ?? 1_000_000,
    benchmarkRuns: options.benchmarkRuns ?? 200,
    maxAttempts: options.maxAttempts ?? 3,
    watch: options.watch ?? [],
    topology: Topology.from(options.topology),
  };
  const positive: (keyof ResolvedServingOptions)[] = [
    'maxBatchSize',
    'maxBodyBytes',
    'maxImageBytes',
    'maxImagePixels',
    'maxPredictions',
    'benchmarkRuns',
    'maxAttempts',
  ];
  for (const key of positive) {
    const value = resolved[key] as number;
    if (!Number.isSafeInteger(value) || value < 1)
      throw new TypeError(`${key} must be an integer >= 1`);
  }
  if (!(resolved.maxBatchDelayMs >= 0 && resolved.maxBatchDelayMs <= 1000)) {
    throw new TypeError('maxBatchDelayMs must be from 0 to 1000');
  }
  if (!['auto', 'native', 'wasm', 'cpu'].includes(resolved.backend)) {
    throw new TypeError('backend must be auto, native, wasm or cpu');
  }
  return resolved;
}

/** A running serving container. */
export interface RunningServingServer {
  url: string;
  port: number;
  /** Stops listening, stops the watchers and every model process, closes the database. */
  close(): Promise<void>;
}
