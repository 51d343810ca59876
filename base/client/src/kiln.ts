import { ContainerKind, ErrorCode, type PipelineListing } from '@kiln/api';
import { assertName } from './collection/names.js';
import { KilnApiError } from './errors/kiln-api-error.js';
import { HttpClient } from './http/http-client.js';
import { resolveKilnOptions, type CallOptions, type KilnOptions } from './kiln-options.js';
import { PipelineClient } from './pipeline-client.js';
import { ServingClient } from './serving-client.js';
import { ToolClient } from './tool-client.js';

/** How a {@link Kiln} reaches containers. */
export const KilnMode = { Gateway: 'gateway', Direct: 'direct' } as const;
export type KilnMode = (typeof KilnMode)[keyof typeof KilnMode];

/**
 * The entry point of the SDK.
 *
 * The rule: `new Kiln(url)` takes a **gateway** URL, and `container(name)` / `pipeline(name)`
 * address `/containers/{name}` behind it. `Kiln.direct(url)` takes **one container's** URL;
 * its `container()` and `pipeline()` talk to that URL itself and need no name.
 *
 * @example
 * ```ts
 * const kiln = new Kiln('http://127.0.0.1:8080', { token: process.env.KILN_TOKEN });
 * const train = kiln.container('train');
 * const one = Kiln.direct('http://127.0.0.1:9001').container();
 * ```
 */
export class Kiln {
  readonly mode: KilnMode;
  readonly http: HttpClient;

  constructor(url: string, options: KilnOptions & { mode?: KilnMode } = {}) {
    this.mode = options.mode ?? KilnMode.Gateway;
    this.http = new HttpClient(checkUrl(url), resolveKilnOptions(options));
  }

  /** A client for one container at `url` (no gateway in between). */
  static direct(url: string, options: KilnOptions = {}): Kiln {
    return new Kiln(url, { ...options, mode: KilnMode.Direct });
  }

  /** The base URL given. */
  get url(): string {
    return this.http.baseUrl;
  }

  /** A tool container: `/containers/{name}` behind a gateway; the URL itself in direct mode. */
  container(name?: string): ToolClient {
    return new ToolClient(this.#containerHttp(name), name);
  }

  /** A pipeline container, addressed as {@link Kiln.container} is. */
  pipeline(name?: string): PipelineClient {
    return new PipelineClient(this.#containerHttp(name), name);
  }

  /**
   * A serving container, addressed as {@link Kiln.container} is.
   * @param name - its name behind the gateway. @defaultValue 'serving' (the example project's)
   */
  serving(name = 'serving'): ServingClient {
    return new ServingClient(
      this.#containerHttp(name),
      this.mode === KilnMode.Direct ? undefined : name,
    );
  }

  /**
   * A client of the right kind for a container, found by asking it (`GET /`): a
   * {@link PipelineClient} for `kind: "pipeline"`, else a {@link ToolClient}.
   */
  async open(name?: string, call?: CallOptions): Promise<ToolClient | PipelineClient> {
    const tool = this.container(name);
    const description = await tool.describe(call);
    return description.kind === ContainerKind.Pipeline ? this.pipeline(name) : tool;
  }

  /** `GET /pipelines/` of the gateway (the dashboard's list of pipelines). */
  pipelines(call?: CallOptions): Promise<PipelineListing[]> {
    if (this.mode === KilnMode.Direct)
      throw KilnApiError.client(
        ErrorCode.BadRequest,
        'No gateway',
        'pipelines() needs a gateway URL, not a direct container',
        400,
      );
    return this.http.json('GET', 'pipelines/', { call });
  }

  #containerHttp(name: string | undefined): HttpClient {
    if (this.mode === KilnMode.Direct) return this.http;
    assertName(name, 'container');
    return this.http.child(`containers/${encodeURIComponent(name)}`);
  }
}

function checkUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw KilnApiError.client(
    ErrorCode.BadRequest,
    'Invalid URL',
    `not an http(s) URL: ${JSON.stringify(url)}`,
    400,
  );
}
