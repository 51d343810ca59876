import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { KilnError, PROBLEM_CONTENT_TYPE, toProblemDocument, type Logger } from '@kiln/api';
import {
  resolveGatewayOptions,
  type GatewayOptions,
  type ResolvedGatewayOptions,
} from './gateway-options.js';
import { AuthMethod, SESSION_COOKIE, TokenAuth, withoutCookie } from './auth/token-auth.js';
import { handleSessionRoute } from './auth/session-routes.js';
import { sendEmpty, sendJson, sendProblem } from './http/responses.js';
import { Forwarder } from './proxy/forwarder.js';
import type { RewriteRule } from './proxy/url-rewriter.js';
import { RouteKind, resolveRoute, type Route } from './routing/resolve-route.js';

/** A running gateway: an `http.Server` that is not listening until {@link Gateway.listen}. */
export interface Gateway {
  readonly server: http.Server;
  /** The names `/containers/{name}/` reaches. */
  readonly containers: readonly string[];
  /** Starts listening; resolves with the gateway's URL. Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, lets open requests finish for `closeGraceMs`, then cuts the rest. */
  close(): Promise<void>;
}

const HOST_HEADER = /^[A-Za-z0-9.:[\]-]+$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The single-port front door of a Kiln project: `/containers/{name}/…` goes to that service of
 * the topology with the prefix stripped, `/healthz` and `/auth/session` are the gateway's own,
 * everything else (the web UI, `/pipelines/`, `/containers/`) goes to the dashboard.
 *
 * @example
 * ```ts
 * const gateway = createGateway({
 *   topology: await loadTopology({ composeFile: 'docker-compose.yml', addresses }),
 * });
 * const url = await gateway.listen(8080, '127.0.0.1');
 * ```
 */
export function createGateway(options: GatewayOptions): Gateway {
  const resolved = resolveGatewayOptions(options);
  const { limits } = resolved;
  const auth = resolved.token === undefined ? undefined : new TokenAuth(resolved.token);
  const forwarder = new Forwarder(limits);
  const server = http.createServer({
    highWaterMark: limits.streamBufferBytes,
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    // Uploads of several GiB take longer than any fixed total; stalls are caught by the idle timeout.
    requestTimeout: 0,
  });
  // Twice the upstream limit, so a client waiting on a slow container gets the 504, not a cut.
  server.timeout = 2 * limits.idleTimeoutMs;
  const handler = new RequestHandler(resolved, auth, forwarder);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => handler.handle(req, res));
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) =>
    refuseRaw(socket, 501, 'upgrades are not served'),
  );
  server.on('connect', (_req: IncomingMessage, socket: Socket) =>
    refuseRaw(socket, 405, 'CONNECT is not served'),
  );

  return {
    server,
    containers: [...resolved.containers.keys()],
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), resolved.closeGraceMs);
      if (server.listening) await closed;
      clearTimeout(timer);
      forwarder.close();
    },
  };
}

class RequestHandler {
  readonly #options: ResolvedGatewayOptions;
  readonly #auth: TokenAuth | undefined;
  readonly #forwarder: Forwarder;

  constructor(options: ResolvedGatewayOptions, auth: TokenAuth | undefined, forwarder: Forwarder) {
    this.#options = options;
    this.#auth = auth;
    this.#forwarder = forwarder;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = id;
    const log = this.#options.logger.child({ requestId: id });
    const started = Date.now();
    const target = req.url;
    res.on('finish', () => logFinished(log, req.method, target, res.statusCode, started));
    this.#route(req, res, log).catch((error: unknown) => {
      if (!(error instanceof KilnError)) log.error('request failed', { error: String(error) });
      sendProblem(res, error);
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
    const route = resolveRoute(req.url ?? '');
    if (route.kind === RouteKind.Health) {
      sendJson(res, 200, { status: 'ok', containers: this.#options.containers.size });
      return;
    }
    if (route.kind === RouteKind.Session) {
      await handleSessionRoute(req, res, {
        auth: this.#auth,
        secure: this.#isSecure(req),
        signInPath: this.#options.signInPath,
      });
      return;
    }
    if (!this.#admit(req, res, route)) return;
    const publicBase = this.#publicBase(req);
    const target =
      route.kind === RouteKind.Container ? this.#containerUrl(route.name) : this.#dashboardUrl();
    await this.#forwarder.forward(req, res, {
      target,
      upstream: route.kind === RouteKind.Container ? route.name : 'dashboard',
      prefix: route.kind === RouteKind.Container ? route.prefix : '',
      path: route.path,
      inboundRules: this.#inboundRules(publicBase),
      outboundRules: this.#outboundRules(publicBase),
      log,
    });
  }

  /** Lets an authenticated (or open) request through, stripping the credential it used. */
  #admit(req: IncomingMessage, res: ServerResponse, route: Route): boolean {
    if (this.#auth === undefined) return true;
    const method = this.#auth.authenticate(req.headers);
    if (method === AuthMethod.Bearer) delete req.headers.authorization;
    const cookie = withoutCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie === undefined) delete req.headers.cookie;
    else req.headers.cookie = cookie;
    if (method !== undefined || this.#isPublicPath(route)) return true;
    if (this.#isBrowserNavigation(req, route) && this.#options.signInPath !== null) {
      const next = new URLSearchParams({ next: req.url ?? '/' });
      sendEmpty(res, 303, {
        location: `${this.#options.signInPath}?${next}`,
        'cache-control': 'no-store',
      });
      return false;
    }
    sendProblem(
      res,
      new KilnError(
        'UNAUTHORIZED',
        'a valid token is required: Authorization: Bearer <token>, or sign in',
        { status: 401 },
      ),
      {
        'www-authenticate': 'Bearer realm="kiln"',
      },
    );
    return false;
  }

  #isPublicPath(route: Route): boolean {
    if (route.kind !== RouteKind.Dashboard) return false;
    const pathname = route.path.split('?', 1)[0] ?? '';
    return this.#options.publicPaths.some(
      (open) => pathname === open || pathname.startsWith(`${open.replace(/\/$/, '')}/`),
    );
  }

  #isBrowserNavigation(req: IncomingMessage, route: Route): boolean {
    if (route.kind !== RouteKind.Dashboard || route.path.startsWith('/pipelines')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    return (req.headers.accept ?? '').includes('text/html');
  }

  #containerUrl(name: string): URL {
    const upstream = this.#options.containers.get(name);
    if (!upstream)
      throw new KilnError('CONTAINER_NOT_FOUND', `no container named '${name}'`, { status: 404 });
    return upstream.target;
  }

  #dashboardUrl(): URL {
    if (!this.#options.dashboard)
      throw new KilnError('ROUTE_NOT_FOUND', 'this gateway has no dashboard', { status: 404 });
    return this.#options.dashboard.target;
  }

  /**
   * How URLs in answers are shown to the client: a container's compose URL
   * (`http://train:8080`, the form references carry) and its address become its public path
   * (`<public>/containers/train`); the dashboard's become the public base.
   */
  #outboundRules(publicBase: string): RewriteRule[] {
    const rules: RewriteRule[] = [];
    for (const [name, upstream] of this.#options.containers) {
      const to = `${publicBase}/containers/${name}`;
      rules.push({ from: upstream.composeUrl, to });
      const target = withoutTrailingSlash(upstream.target);
      if (target !== upstream.composeUrl) rules.push({ from: target, to });
    }
    if (this.#options.dashboard)
      rules.push({ from: withoutTrailingSlash(this.#options.dashboard.target), to: publicBase });
    return rules;
  }

  /**
   * How URLs in requests reach the containers: a public container path becomes the container's
   * compose URL, so a reference a client sends through the gateway is stored in the form that
   * works from every container.
   */
  #inboundRules(publicBase: string): RewriteRule[] {
    return [...this.#options.containers].map(([name, upstream]) => ({
      from: `${publicBase}/containers/${name}`,
      to: upstream.composeUrl,
    }));
  }

  #publicBase(req: IncomingMessage): string {
    if (this.#options.publicUrl) return this.#options.publicUrl;
    const host = req.headers.host;
    const address = req.socket.localAddress ?? '127.0.0.1';
    const fallback = `${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort ?? 80}`;
    return `${this.#isSecure(req) ? 'https' : 'http'}://${host && HOST_HEADER.test(host) ? host : fallback}`;
  }

  #isSecure(req: IncomingMessage): boolean {
    if (this.#options.publicUrl) return this.#options.publicUrl.startsWith('https:');
    return (req.socket as { encrypted?: boolean }).encrypted === true;
  }
}

function withoutTrailingSlash(url: URL): string {
  return url.href.replace(/\/+$/, '');
}

function logFinished(
  log: Logger,
  method: string | undefined,
  path: string | undefined,
  status: number,
  started: number,
): void {
  const meta = { method, path, status, ms: Date.now() - started };
  if (status >= 500) log.error('request', meta);
  else if (status >= 400) log.info('request', meta);
  else log.debug('request', meta);
}

/** Answers on a raw socket, for requests that never become a `ServerResponse`. */
function refuseRaw(socket: Socket, status: number, detail: string): void {
  const code = status === 405 ? 'METHOD_NOT_ALLOWED' : 'BAD_REQUEST';
  const body = JSON.stringify({
    ...toProblemDocument(new KilnError(code, detail, { status })),
    title: http.STATUS_CODES[status] ?? 'Error',
  });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
