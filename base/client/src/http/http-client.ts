import type { Got, Method, Progress } from 'got';
import { loadGot } from './load-got.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { ClientErrorCode, KilnApiError, type RequestInfo } from '../errors/kiln-api-error.js';
import type { CallOptions, ResolvedKilnOptions } from '../kiln-options.js';
import { backoffDelay, sleep } from './backoff.js';
import { callSignal, type CallSignal } from './call-signal.js';
import { problemFromBody, toKilnApiError } from './error-mapping.js';

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** One request's options. */
export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: Readable;
  headers?: Record<string, string>;
  call?: CallOptions;
  /** Milliseconds added to the call's timeout (a long-poll's own duration). */
  extraTimeout?: number;
  onUploadProgress?: (progress: Progress) => void;
}

/** A response whose body is still to be read. */
export interface OpenStream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The request's signal: the caller's, bounded by the call's timeout. */
  signal: CallSignal;
  request: RequestInfo;
}

/**
 * got, set up for one Kiln base URL: bearer token, retries with backoff on idempotent requests
 * (connection errors, 502, 503), a timeout per call, and errors mapped to {@link KilnApiError}.
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly options: ResolvedKilnOptions;
  #got: Promise<Got> | undefined;

  /**
   * `baseUrl` may be a compose URL or an address of a service: it is kept in compose form (the
   * form {@link url} hands out) and resolved through the topology when a request is sent.
   */
  constructor(baseUrl: string, options: ResolvedKilnOptions) {
    this.baseUrl = options.topology.canonical(baseUrl.replace(/\/+$/, ''));
    this.options = options;
  }

  /** got with this client's settings, made on first use. */
  #client(): Promise<Got> {
    const options = this.options;
    this.#got ??= loadGot().then(({ got }) =>
      got.extend({
        headers: {
          ...options.headers,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        retry: {
          limit: options.retries,
          methods: ['GET', 'HEAD', 'DELETE', 'OPTIONS'],
          statusCodes: [502, 503],
          calculateDelay: ({ attemptCount, computedValue }) =>
            computedValue === 0 ? 0 : backoffDelay(attemptCount, options),
        },
      }),
    );
    return this.#got;
  }

  /** The same settings for a base URL below this one (`/containers/train`). */
  child(prefix: string): HttpClient {
    return new HttpClient(this.url(prefix), this.options);
  }

  /**
   * The absolute URL of `path` (relative to the base URL), with its query, as handed out: in
   * compose form when the base URL is a service's.
   */
  url(path: string, query?: Query): string {
    const suffix = path === '' ? '' : `/${path.replace(/^\/+/, '')}`;
    const url = new URL(`${this.baseUrl}${suffix}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Sends a request and parses the JSON answer. */
  async json<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const text = await this.text(method, path, {
      ...options,
      headers: { accept: 'application/json', ...options.headers },
    });
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw KilnApiError.client(
        ClientErrorCode.InvalidResponse,
        'Invalid response',
        `${method} ${this.url(path)} did not answer JSON`,
        502,
        { cause: error, request: { method, url: this.url(path) } },
      );
    }
  }

  /** Sends a request and returns the answer's body as text (empty for 204). */
  async text(method: Method, path: string, options: RequestOptions = {}): Promise<string> {
    return (await this.buffer(method, path, options)).toString('utf8');
  }

  /** Sends a request and returns the answer's raw bytes (a log read from an offset). */
  async buffer(method: Method, path: string, options: RequestOptions = {}): Promise<Buffer> {
    const url = this.target(path, options.query);
    const request = { method, url };
    const signal = callSignal(options.call, this.#timeout(options));
    try {
      const client = await this.#client();
      const pending = client(url, {
        method,
        responseType: 'buffer',
        ...(options.json === undefined ? {} : { json: options.json }),
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(signal.signal ? { signal: signal.signal } : {}),
      });
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- got's .on() returns `pending`, awaited below
      if (options.onUploadProgress) pending.on('uploadProgress', options.onUploadProgress);
      const response = await pending;
      return response.body;
    } catch (error) {
      throw toKilnApiError(error, request, signal);
    }
  }

  /** The URL a request for `path` is sent to: {@link url}, resolved through the topology. */
  target(path: string, query?: Query): string {
    return this.options.topology.resolve(this.url(path, query));
  }

  /**
   * Opens a streamed GET and resolves once a 2xx answer's headers arrived. Connection errors and
   * 502/503 are retried here like any idempotent request; an error answer rejects with its problem.
   * The body stream is the caller's to consume or destroy.
   */
  async stream(path: string, options: RequestOptions = {}): Promise<OpenStream> {
    const url = this.target(path, options.query);
    const request = { method: 'GET', url };
    const signal = callSignal(options.call, options.call?.timeout);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#openOnce(url, request, signal, options.headers);
      } catch (error) {
        const mapped = toKilnApiError(error, request, signal);
        const retry =
          mapped instanceof KilnApiError &&
          mapped.retryable &&
          mapped.code !== ClientErrorCode.RequestTimeout &&
          attempt <= this.options.retries;
        if (!retry) throw mapped;
        try {
          await sleep(backoffDelay(attempt, this.options), signal.signal);
        } catch (abort) {
          throw toKilnApiError(abort, request, signal);
        }
      }
    }
  }

  async #openOnce(
    url: string,
    request: RequestInfo,
    signal: CallSignal,
    headers: Record<string, string> | undefined,
  ): Promise<OpenStream> {
    const client = await this.#client();
    const body = client.stream(url, {
      throwHttpErrors: false,
      retry: { limit: 0 },
      ...(headers ? { headers } : {}),
      ...(signal.signal ? { signal: signal.signal } : {}),
    });
    const response = await new Promise<{
      statusCode: number;
      statusMessage?: string;
      headers: IncomingHttpHeaders;
    }>((resolve, reject) => {
      body.once('response', resolve);
      body.once('error', reject);
    });
    // Later errors are the consumer's to see; keep a listener so none goes unhandled meanwhile.
    body.on('error', () => undefined);
    if (response.statusCode >= 400) {
      const text = await readSmall(body);
      throw new KilnApiError(problemFromBody(response.statusCode, response.statusMessage, text), {
        request,
      });
    }
    return { status: response.statusCode, headers: response.headers, body, signal, request };
  }

  #timeout(options: RequestOptions): number {
    return this.options.timeout + (options.extraTimeout ?? 0);
  }
}

/** Reads at most 64 KiB of an error answer's body. */
async function readSmall(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(buffer);
      size += buffer.length;
      if (size > 65_536) break;
    }
  } catch {
    // a body cut short still tells us the status
  }
  stream.destroy();
  return Buffer.concat(chunks).toString('utf8');
}
