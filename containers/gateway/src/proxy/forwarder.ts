import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import https from 'node:https';
import { Readable, Transform, pipeline, type Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import { KilnError, type Logger } from '@kiln/api';
import type { GatewayLimits } from '../gateway-options.js';
import { readSmallBody, sendProblem, tooLarge } from '../http/responses.js';
import {
  UrlRewriteStream,
  replaceUrls,
  rewriteLinkHeader,
  rewriteReference,
  type RewriteRule,
} from './url-rewriter.js';

/** One request on its way upstream. */
export interface ForwardRequest {
  /** The upstream base URL. */
  target: URL;
  /** Upstream name, for problems and logs (`train`, `dashboard`). */
  upstream: string;
  /** The path prefix the gateway removed (`/containers/train`), '' for the dashboard. */
  prefix: string;
  /** The path and query sent upstream. */
  path: string;
  /** Public URL prefix → upstream URL, applied to JSON request bodies. */
  inboundRules: readonly RewriteRule[];
  /** Upstream URL → public URL prefix, applied to JSON responses and link headers. */
  outboundRules: readonly RewriteRule[];
  log: Logger;
}

/** Why a forwarded request ended early, so the error handler picks the right status. */
const Failure = { Timeout: 'timeout', TooLarge: 'too-large' } as const;
type Failure = (typeof Failure)[keyof typeof Failure];

interface ForwardState {
  request: ForwardRequest;
  proxyReq?: http.ClientRequest;
  failure?: Failure;
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
const JSON_TYPE = /^application\/(?:json|[\w.+-]+\+json)\s*(?:;|$)/i;

/**
 * Streams requests to upstreams through http-proxy and streams the answers back: bodies are
 * piped with backpressure, never buffered, except JSON bodies small enough to have their URLs
 * rewritten. Upstream failures become 502 problems, slow upstreams 504, and the gateway stays up.
 */
export class Forwarder {
  readonly #proxy: httpProxy;
  readonly #limits: GatewayLimits;
  readonly #states = new WeakMap<IncomingMessage, ForwardState>();
  readonly #agents: { http: http.Agent; https: https.Agent };

  constructor(limits: GatewayLimits) {
    this.#limits = limits;
    this.#agents = bufferedAgents(limits.streamBufferBytes);
    this.#proxy = httpProxy.createProxyServer({
      xfwd: true,
      changeOrigin: true,
      selfHandleResponse: true,
    });
    this.#proxy.on('proxyReq', (proxyReq, req) => this.#onProxyReq(proxyReq, req));
    this.#proxy.on('proxyRes', (proxyRes, req, res) =>
      this.#onProxyRes(proxyRes, req, res as ServerResponse),
    );
    // http-proxy reports failures through the callback given to web(); this catches the rest.
    this.#proxy.on('error', () => {});
  }

  /** Sends `req` to `request.target` and pipes the answer to `res`. */
  async forward(req: IncomingMessage, res: ServerResponse, request: ForwardRequest): Promise<void> {
    const state: ForwardState = { request };
    this.#states.set(req, state);
    cleanRequestHeaders(req.headers, request.prefix);
    req.url = request.path;
    const body = await this.#requestBody(req, res, state);
    if (res.headersSent) return;
    const agent = request.target.protocol === 'https:' ? this.#agents.https : this.#agents.http;
    this.#proxy.web(
      req,
      res,
      { target: request.target.href, agent, ...(body ? { buffer: body } : {}) },
      (error) => this.#onError(error, req, res, state),
    );
  }

  /** Frees pooled upstream connections. */
  close(): void {
    this.#proxy.close();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  async #requestBody(
    req: IncomingMessage,
    res: ServerResponse,
    state: ForwardState,
  ): Promise<Readable | undefined> {
    const length = req.headers['content-length'];
    if (length !== undefined) {
      const bytes = Number(length);
      if (bytes > this.#limits.maxBodyBytes) {
        sendProblem(res, tooLarge(this.#limits.maxBodyBytes), { connection: 'close' });
        return undefined;
      }
      if (
        state.request.inboundRules.length > 0 &&
        bytes <= this.#limits.maxRewriteBytes &&
        isJson(req.headers['content-type'])
      ) {
        const text = (await readSmallBody(req, this.#limits.maxRewriteBytes)).toString('latin1');
        const rewritten = Buffer.from(
          replaceUrls(text, state.request.inboundRules, true).done,
          'latin1',
        );
        req.headers['content-length'] = String(rewritten.length);
        return Readable.from([rewritten]);
      }
      return undefined;
    }
    if (req.headers['transfer-encoding'] === undefined) return undefined;
    return req.pipe(this.#sizeGuard(req, res, state));
  }

  /** Counts a chunked body, since only a declared length can be checked up front. */
  #sizeGuard(req: IncomingMessage, res: ServerResponse, state: ForwardState): Transform {
    let total = 0;
    const max = this.#limits.maxBodyBytes;
    const guard = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        total += chunk.length;
        if (total <= max) {
          callback(null, chunk);
          return;
        }
        if (state.failure === undefined) {
          state.failure = Failure.TooLarge;
          req.unpipe(guard);
          req.resume();
          sendProblem(res, tooLarge(max), { connection: 'close' });
          state.proxyReq?.destroy();
        }
        callback();
      },
    });
    guard.on('error', () => {});
    return guard;
  }

  #onProxyReq(proxyReq: http.ClientRequest, req: IncomingMessage): void {
    const state = this.#states.get(req);
    if (!state) return;
    state.proxyReq = proxyReq;
    if (state.failure === Failure.TooLarge) proxyReq.destroy();
    proxyReq.setTimeout(this.#limits.idleTimeoutMs, () => {
      state.failure ??= Failure.Timeout;
      proxyReq.destroy();
    });
  }

  #onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
    const state = this.#states.get(req);
    if (!state || res.headersSent) {
      proxyRes.resume();
      return;
    }
    const { request } = state;
    const type = proxyRes.headers['content-type'] ?? '';
    const live = isStream(type, request.path);
    if (live) {
      // A live stream may stay silent for long stretches; the idle limits are for stalls.
      state.proxyReq?.setTimeout(0);
      req.socket.setTimeout(0);
    }
    const rewriteBody =
      request.outboundRules.length > 0 && JSON_TYPE.test(type) && isApiDocument(proxyRes);
    const headers = responseHeaders(proxyRes.headers, request, rewriteBody);
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, headers);
    if (live) res.flushHeaders();
    const done = (error: Error | null | undefined): void => {
      if (error)
        request.log.debug('response stream ended early', {
          upstream: request.upstream,
          error: error.message,
        });
    };
    if (rewriteBody) pipeline(proxyRes, new UrlRewriteStream(request.outboundRules), res, done);
    else pipeline(proxyRes, res, done);
  }

  #onError(error: Error, req: IncomingMessage, res: unknown, state: ForwardState): void {
    const response = res as ServerResponse;
    const { request } = state;
    if (state.failure === Failure.TooLarge || response.headersSent) {
      if (!response.writableEnded) response.destroy();
      return;
    }
    if (state.failure === Failure.Timeout) {
      request.log.warn('upstream timed out', { upstream: request.upstream, path: request.path });
      sendProblem(
        response,
        new KilnError('CONTAINER_UNAVAILABLE', `'${request.upstream}' did not answer in time`, {
          status: 504,
          retryable: true,
        }),
      );
      return;
    }
    if (req.socket.destroyed) return;
    request.log.warn('upstream unavailable', {
      upstream: request.upstream,
      error: (error as NodeJS.ErrnoException).code ?? error.message,
    });
    sendProblem(
      response,
      new KilnError('CONTAINER_UNAVAILABLE', `'${request.upstream}' is not answering`, {
        status: 502,
        retryable: true,
      }),
    );
  }
}

type Connect = (
  options: http.ClientRequestArgs,
  callback?: (error: Error | null, stream: Duplex) => void,
) => Duplex | null | undefined;

/** Agents whose upstream sockets buffer `bytes` each way (see `streamBufferBytes`). */
function bufferedAgents(bytes: number): { http: http.Agent; https: https.Agent } {
  const sized = (options: http.ClientRequestArgs): http.ClientRequestArgs =>
    ({
      ...options,
      readableHighWaterMark: bytes,
      writableHighWaterMark: bytes,
    }) as http.ClientRequestArgs;
  class BufferedHttpAgent extends http.Agent {
    override createConnection: Connect = (options, callback) =>
      super.createConnection(sized(options), callback);
  }
  class BufferedHttpsAgent extends https.Agent {
    override createConnection: Connect = (options, callback) =>
      super.createConnection(sized(options), callback);
  }
  return {
    http: new BufferedHttpAgent({ keepAlive: true, scheduling: 'lifo' }),
    https: new BufferedHttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
  };
}

function cleanRequestHeaders(headers: IncomingHttpHeaders, prefix: string): void {
  for (const name of tokenList(headers.connection)) delete headers[name];
  for (const name of HOP_BY_HOP) if (name !== 'transfer-encoding') delete headers[name];
  // Node already answered `100 Continue`; passed on, it would hold the body back upstream.
  delete headers.expect;
  if (prefix) headers['x-forwarded-prefix'] = prefix;
  else delete headers['x-forwarded-prefix'];
}

function responseHeaders(
  upstream: IncomingHttpHeaders,
  request: ForwardRequest,
  rewriteBody: boolean,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...upstream };
  for (const name of tokenList(upstream.connection)) delete headers[name];
  for (const name of HOP_BY_HOP) delete headers[name];
  if (rewriteBody) delete headers['content-length'];
  for (const name of ['location', 'content-location'] as const) {
    const value = upstream[name];
    if (typeof value === 'string')
      headers[name] = rewriteReference(value, request.prefix, request.outboundRules);
  }
  const link = upstream.link;
  if (typeof link === 'string')
    headers.link = rewriteLinkHeader(link, request.prefix, request.outboundRules);
  return headers;
}

function tokenList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token && token !== 'close' && token !== 'keep-alive');
}

function isJson(type: string | undefined): boolean {
  return JSON_TYPE.test(type ?? '');
}

/**
 * Whether a JSON response is an API document, whose URLs are rewritten, rather than the bytes of
 * a file (an artifact's `data/run.json`): files are served with `Accept-Ranges` and must arrive
 * exactly as stored, or digests and byte ranges would no longer match. Compressed bodies pass as
 * they are too.
 */
function isApiDocument(response: IncomingMessage): boolean {
  const { headers } = response;
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== 'identity') return false;
  return (
    response.statusCode !== 206 &&
    headers['accept-ranges'] === undefined &&
    headers['content-range'] === undefined
  );
}

function isStream(contentType: string, path: string): boolean {
  if (contentType.toLowerCase().startsWith('text/event-stream')) return true;
  const query = path.indexOf('?');
  return query !== -1 && new URLSearchParams(path.slice(query + 1)).has('follow');
}
