import {
  Collection,
  ContainerKind,
  ErrorCode,
  type ContainerListing,
  type PipelineListing,
} from '@kiln/api';
import { parseArtifactUrl } from './collection/artifact-url.js';
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

/** An artifact named by its URL: its container's client and its name there. */
export interface ArtifactAt {
  /** A {@link ToolClient}, or a {@link PipelineClient} for a run (`…/runs/{name}/`). */
  client: ToolClient | PipelineClient;
  name: string;
  /** The URL in compose form (`http://import:8080/artifacts/x/`), as references carry it. */
  url: string;
}

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

  /**
   * The artifact at `url` (an artifact reference, `http://import:8080/artifacts/x/`, or a run's
   * URL): a direct client of its container, whose requests go through `options.topology`.
   *
   * @example
   * ```ts
   * const { client, name } = Kiln.artifactAt('http://import:8080/artifacts/x/', { topology });
   * const record = await client.get(name);
   * ```
   */
  static artifactAt(url: string, options: KilnOptions = {}): ArtifactAt {
    const { base, collection, name } = parseArtifactUrl(url);
    const kiln = Kiln.direct(base, options);
    const client = collection === Collection.Runs ? kiln.pipeline() : kiln.container();
    return { client, name, url: client.artifactUrl(name) };
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
    this.#needsGateway('pipelines()');
    return this.http.json('GET', 'pipelines/', { call });
  }

  /**
   * `GET /containers/` of the gateway (the dashboard's list of every container of the project,
   * tools no pipeline uses included).
   */
  containers(call?: CallOptions): Promise<ContainerListing[]> {
    this.#needsGateway('containers()');
    return this.http.json('GET', 'containers/', { call });
  }

  #needsGateway(what: string): void {
    if (this.mode === KilnMode.Direct)
      throw KilnApiError.client(
        ErrorCode.BadRequest,
        'No gateway',
        `${what} needs a gateway URL, not a direct container`,
        400,
      );
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
