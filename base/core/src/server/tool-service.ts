import type { ArtifactSummary, ToolDescription } from '@kiln/api';
import {
  ARTIFACT_PATH_RESPONSES,
  artifactApiSchemas,
  type OpenApiOptions,
} from '../http/openapi.js';
import type { RouteSpec } from '../http/route-spec.js';
import { toSummary } from '../store/artifact-row.js';
import { artifactApiRoutes } from './create-app.js';
import { openToolRuntime } from './tool-runtime.js';
import { resolveToolServerOptions, type ToolServerOptions } from './tool-server-options.js';

/** How to open a tool service: a tool server's options, without a port to listen on. */
export type ToolServiceOptions = Omit<ToolServerOptions, 'port' | 'host'>;

/** Figures of `/health` a container that embeds a tool adds to its own. */
export interface ToolServiceHealth {
  queued: number;
  running: number;
  /** How many builds can run at once. */
  workers: number;
  /** Why no build can run (no mule can be started); null while they can. */
  problem: string | null;
}

/**
 * A tool container's artifact API, running, for a container that serves it among its own
 * routes (the serving container's snapshots of feedback): mount {@link routes} on its router,
 * add {@link schemas} to its OpenAPI document, stream {@link onArtifact} on its `/events`.
 */
export interface ToolService {
  description: ToolDescription;
  /**
   * The artifact API: `/artifacts` (list, create) and every route under an artifact. Not `/`,
   * `/health`, `/openapi.json` or `/events`, which the embedding container answers itself.
   */
  routes: RouteSpec[];
  /** What {@link routes} need in an OpenAPI document (`buildOpenApiDocument`'s options). */
  schemas: Required<Pick<OpenApiOptions, 'schemas' | 'createBody'>>;
  /** Creates an artifact as a JSON `POST /artifacts` does (422, 409 … as KilnErrors). */
  create(request: {
    name?: string;
    parameters?: unknown;
    cache?: boolean;
  }): Promise<ArtifactSummary>;
  /** One artifact's summary, or null. */
  summary(name: string): Promise<ArtifactSummary | null>;
  /** Listens to every artifact change; returns the function that stops listening. */
  onArtifact(listener: (summary: ArtifactSummary) => void): () => void;
  health(): Promise<ToolServiceHealth>;
  /** Stops the mules and the scheduler and closes the store (builds in flight resume later). */
  close(): Promise<void>;
}

/**
 * Opens a tool container's store and starts its scheduler and worker pool (mules on demand)
 * without an HTTP server of its own: the routes are the caller's to serve. Interrupted builds are recovered as
 * `startToolServer` recovers them.
 *
 * @example
 * ```ts
 * const snapshots = await openToolService({ modulePath, dataDir, settings: { database } });
 * mountRoutes(router, [...myRoutes, ...snapshots.routes]);
 * ```
 */
export async function openToolService(options: ToolServiceOptions): Promise<ToolService> {
  const runtime = await openToolRuntime(resolveToolServerOptions({ ...options, port: 0 }));
  const ctx = runtime.context;
  const routes = artifactApiRoutes(ctx).map((route) =>
    route.path.includes('{')
      ? { ...route, responses: { ...ARTIFACT_PATH_RESPONSES, ...route.responses } }
      : route,
  );
  return {
    description: ctx.description,
    routes,
    schemas: artifactApiSchemas(ctx.description),
    create: (request) =>
      ctx.creator.create({
        name: request.name,
        parameters: request.parameters ?? {},
        cache: request.cache ?? false,
        callback: undefined,
        files: [],
      }),
    summary: async (name) => {
      const artifact = await ctx.store.get(name);
      return artifact ? toSummary(artifact) : null;
    },
    onArtifact: (listener) => ctx.events.onAnyArtifact(listener),
    health: async () => {
      const counts = await ctx.store.counts();
      return {
        queued: counts.queued ?? 0,
        running: counts['in-progress'] ?? 0,
        workers: ctx.workers.size,
        problem: ctx.workers.unavailableReason,
      };
    },
    close: () => runtime.close(),
  };
}
