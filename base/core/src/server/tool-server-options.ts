import { type ToolDescription, SILENT_LOGGER, type Logger } from '@kiln/api';
import { Topology, type TopologyDescription } from '@kiln/topology';
import type { Server } from 'node:http';
import { resolve } from 'node:path';

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
  /** Grace after a cancel before SIGTERM, and again before SIGKILL. @defaultValue 5000 */
  cancelGraceMs?: number;
  /** Builds before a mule is replaced; 0 never. @defaultValue 0 */
  maxBuildsPerMule?: number;
  /** Attempts before an artifact interrupted by restarts fails. @defaultValue 3 */
  maxAttempts?: number;
  /**
   * The project's topology (`@kiln/topology`), through which artifact references in compose
   * form (`http://import:8080/artifacts/x/`) are resolved when the server checks them and the
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
}

export type ResolvedToolServerOptions = Required<Omit<ToolServerOptions, 'topology'>> & {
  topology: Topology;
};

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

/** Fills in the defaults. */
export function resolveToolServerOptions(options: ToolServerOptions): ResolvedToolServerOptions {
  return {
    modulePath: resolve(options.modulePath),
    dataDir: resolve(options.dataDir),
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    logger: options.logger ?? SILENT_LOGGER,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    cancelGraceMs: options.cancelGraceMs ?? 5_000,
    maxBuildsPerMule: options.maxBuildsPerMule ?? 0,
    maxAttempts: options.maxAttempts ?? 3,
    topology: Topology.from(options.topology),
    settings: options.settings ?? {},
  };
}

/** A running tool container. */
export interface RunningToolServer {
  url: string;
  port: number;
  description: ToolDescription;
  server: Server;
  /** Stops listening, ends open streams, stops the mule and closes the store. */
  close(): Promise<void>;
}
