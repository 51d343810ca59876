import { type ToolDescription, SILENT_LOGGER, type Logger } from '@kiln/api';
import { Topology, type TopologyDescription } from '@kiln/topology';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { StoreBackend } from '../store/store-backend.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions } from './worker-options.js';
import { resolveClusterOptions, type ResolvedClusterOptions } from './cluster-options.js';

/** How to run a tool container. Every option but `modulePath` and `dataDir` has a default. */
export interface ToolServerOptions {
  /** The tool module: its default export is `defineTool({...})`. */
  modulePath: string;
  /** The data folder (`/data` in a container). */
  dataDir: string;
  /** @defaultValue 8080; 0 picks a free port */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue SILENT_LOGGER */
  logger?: Logger;
  /** Largest accepted input file. @defaultValue 4 GiB */
  maxUploadBytes?: number;
  /**
   * How many builds may run at once, each in its own mule (1 to 256).
   * @defaultValue the number of `gpus`, or 1
   */
  workers?: number;
  /**
   * GPU indices, one per worker: worker i's mule gets `CUDA_VISIBLE_DEVICES=gpus[i]`. More
   * workers than GPUs is refused. @defaultValue none (`CUDA_VISIBLE_DEVICES` is left alone)
   */
  gpus?: readonly number[];
  /**
   * A mule with no build for this long exits, and so does one right after a build that took
   * longer than this when no build is waiting; the next build starts a new mule. 0 keeps mules
   * until the server stops.
   * @defaultValue 500
   */
  muleIdleMs?: number;
  /** A mule not ready this long after it was forked is killed and started again. @defaultValue 60000 */
  muleStartTimeoutMs?: number;
  /** Grace after a cancel before SIGTERM, and again before SIGKILL. @defaultValue 5000 */
  cancelGraceMs?: number;
  /** Builds before a mule is replaced; 0 never. @defaultValue 0 */
  maxBuildsPerMule?: number;
  /** Attempts before an artifact interrupted by restarts fails. @defaultValue 3 */
  maxAttempts?: number;
  /**
   * Where the index, the queue and the events live.
   * @defaultValue a SQLite file in `dataDir` and an in-process event hub
   */
  backend?: StoreBackend;
  /**
   * Cluster mode: a PostgreSQL URL (`postgres://user:password@host:5432/database`). The index,
   * the queue, the leases and the events then live in that database, shared by every replica of
   * the container started on it, and `dataDir` must be a folder they all share (NFS, a
   * ReadWriteMany volume). Ignored when `backend` is given.
   * @defaultValue none: SQLite in `dataDir`, one process
   */
  databaseUrl?: string;
  /**
   * The PostgreSQL schema of this container's tables (made, or upgraded in place, at start).
   * @defaultValue `kiln_` and the tool's name (`kiln_train`)
   */
  databaseSchema?: string;
  /**
   * How long a build's lease lasts unless renewed (every third of it). In a cluster, a replica
   * that dies has its builds taken over once their leases run out.
   * @defaultValue 30000
   */
  leaseMs?: number;
  /**
   * The project's topology (`@kiln/topology`), through which artifact references in compose
   * form (`http://import:8080/artifacts/x/`) are resolved when the server checks them and a
   * mule fetches their data; builds and route hooks get it as `ctx.topology`.
   * @defaultValue none: references are opened as they are
   */
  topology?: Topology | TopologyDescription;
  /**
   * Settings every build gets as `ctx.settings`: JSON, sent to the mule as it starts. For a
   * container that embeds a tool and configures it (the serving container).
   * @defaultValue {}
   */
  settings?: Record<string, unknown>;
  /**
   * The container's working folder: its mules run there (a command builder's relative paths
   * resolve from it). A host running several containers in one process gives each its own.
   * @defaultValue process.cwd()
   */
  cwd?: string;
  /**
   * The container's environment, which its mules are started with (plus the mule's own
   * variables). A host running several containers in one process gives each its own.
   * @defaultValue process.env
   */
  environment?: Readonly<Record<string, string | undefined>>;
}

export type ResolvedToolServerOptions = Required<
  Omit<
    ToolServerOptions,
    | 'backend'
    | 'topology'
    | 'cwd'
    | 'environment'
    | keyof ResolvedWorkerOptions
    | keyof ResolvedClusterOptions
  >
> &
  ResolvedWorkerOptions &
  ResolvedClusterOptions & {
    backend: StoreBackend | undefined;
    topology: Topology;
    cwd: string;
    environment: Readonly<Record<string, string | undefined>>;
  };

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

/** Fills in the defaults; refuses bad worker and cluster options with `INVALID_OPTION`. */
export function resolveToolServerOptions(options: ToolServerOptions): ResolvedToolServerOptions {
  return {
    modulePath: resolve(options.modulePath),
    dataDir: resolve(options.dataDir),
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    logger: options.logger ?? SILENT_LOGGER,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    ...resolveWorkerOptions(options),
    ...resolveClusterOptions(options),
    muleStartTimeoutMs: options.muleStartTimeoutMs ?? 60_000,
    cancelGraceMs: options.cancelGraceMs ?? 5_000,
    maxBuildsPerMule: options.maxBuildsPerMule ?? 0,
    maxAttempts: options.maxAttempts ?? 3,
    backend: options.backend,
    topology: Topology.from(options.topology),
    settings: options.settings ?? {},
    cwd: resolve(options.cwd ?? process.cwd()),
    environment: options.environment ?? process.env,
  };
}

/** A running tool container. */
export interface RunningToolServer {
  url: string;
  port: number;
  description: ToolDescription;
  server: Server;
  /** Stops listening, ends open streams, stops the mules and closes the store. */
  close(): Promise<void>;
}
