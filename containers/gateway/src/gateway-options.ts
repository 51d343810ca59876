import { SILENT_LOGGER, type Logger } from '@kiln/api';
import { ServiceRole, Topology, type TopologyDescription } from '@kiln/topology';

/** Size and time limits the gateway enforces on every connection. */
export interface GatewayLimits {
  /**
   * Largest request body forwarded, checked against `Content-Length` up front and counted for
   * chunked bodies. Containers accept files up to 4 GiB; multipart framing adds a little.
   * @defaultValue 4.5 GiB
   */
  maxBodyBytes: number;
  /** Largest request header block. @defaultValue 16 KiB */
  maxHeaderBytes: number;
  /** Time a client has to send its request headers. @defaultValue 30 s */
  headersTimeoutMs: number;
  /**
   * Longest silence allowed on a connection, either side, before it is dropped; also the time
   * a container has to start answering. Streams (`text/event-stream`, `?follow`) are exempt once
   * they start. Must exceed the longest long-poll (`?wait=60`). @defaultValue 120 s
   */
  idleTimeoutMs: number;
  /** Largest JSON body whose URLs are rewritten on the way in. @defaultValue 2 MiB */
  maxRewriteBytes: number;
  /**
   * Bytes a connection may hold in flight, each way, before backpressure pauses the other side.
   * Node's 16 KiB default is below one 64 KiB socket read, so every chunk would pause and resume
   * the upstream socket; 1 MiB lets a download stream without that churn, and bounds memory per
   * connection. @defaultValue 1 MiB
   */
  streamBufferBytes: number;
}

/** The options of {@link createGateway}. */
export interface GatewayOptions {
  /**
   * The project's topology (`@kiln/topology`, read from `docker-compose.yml`):
   * `/containers/{name}/` reaches every service but the gateway and the dashboard, at the
   * address the topology gives it; everything else goes to the service whose role is
   * `dashboard` (a 404 without one).
   */
  topology: Topology | TopologyDescription;
  /** When set, every request needs `Authorization: Bearer <token>` or the session cookie. */
  token?: string;
  /**
   * The URL clients use to reach the gateway, for rewritten links (`KILN_PUBLIC_URL`).
   * @defaultValue derived from each request's `Host` header
   */
  publicUrl?: string;
  /**
   * Paths the dashboard serves to signed-out browsers (each path and everything under it).
   * @defaultValue ['/signin', '/assets']
   */
  publicPaths?: string[];
  /**
   * Where a signed-out browser navigation is redirected (303, with `?next=`); null answers
   * 401 to browsers too. @defaultValue '/signin'
   */
  signInPath?: string | null;
  /** @defaultValue {@link DEFAULT_GATEWAY_LIMITS} */
  limits?: Partial<GatewayLimits>;
  /** @defaultValue {@link SILENT_LOGGER} */
  logger?: Logger;
  /** How long `close()` lets open streams finish before cutting them. @defaultValue 1000 */
  closeGraceMs?: number;
}

/** The limits used where {@link GatewayOptions.limits} says nothing. */
export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxBodyBytes: 4.5 * 1024 ** 3,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  maxRewriteBytes: 2 * 1024 ** 2,
  streamBufferBytes: 1024 ** 2,
};

/** A service the gateway forwards to. */
export interface Upstream {
  /** Where the gateway reaches it. */
  target: URL;
  /** Its URL as the compose file names it (`http://train:8080`), the form references carry. */
  composeUrl: string;
}

/** {@link GatewayOptions} with defaults applied and URLs parsed. */
export interface ResolvedGatewayOptions {
  /** Container name → where `/containers/{name}/` goes. */
  containers: ReadonlyMap<string, Upstream>;
  dashboard: Upstream | undefined;
  token: string | undefined;
  publicUrl: string | undefined;
  publicPaths: readonly string[];
  signInPath: string | null;
  limits: GatewayLimits;
  logger: Logger;
  closeGraceMs: number;
}

/** Applies defaults and checks every URL, so a bad configuration fails at start. */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const topology = Topology.from(options.topology);
  const containers = new Map<string, Upstream>();
  for (const service of topology.services) {
    if (service.role === ServiceRole.Gateway || service.role === ServiceRole.Dashboard) continue;
    containers.set(service.name, upstream(service));
  }
  const dashboard = topology.withRole(ServiceRole.Dashboard)[0];
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  if (publicUrl !== undefined) parseUpstreamUrl(publicUrl, 'public URL');
  return {
    containers,
    dashboard: dashboard ? upstream(dashboard) : undefined,
    token: options.token ? options.token : undefined,
    publicUrl,
    publicPaths: options.publicPaths ?? ['/signin', '/assets'],
    signInPath: options.signInPath === undefined ? '/signin' : options.signInPath,
    limits: { ...DEFAULT_GATEWAY_LIMITS, ...options.limits },
    logger: options.logger ?? SILENT_LOGGER,
    closeGraceMs: options.closeGraceMs ?? 1000,
  };
}

function upstream(service: { name: string; address: string; url: string }): Upstream {
  return {
    target: parseUpstreamUrl(service.address, `service '${service.name}'`),
    composeUrl: service.url,
  };
}

function parseUpstreamUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what}: '${value}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${what}: '${value}' is not an http(s) URL`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`${what}: '${value}' must not carry a query, fragment or credentials`);
  }
  return url;
}
