import {
  Collection,
  type ArtifactRecord,
  type ArtifactStatus,
  type ArtifactSummary,
  type HealthResponse,
  type InputFileEntry,
  type MetricInfo,
  type MetricPoint,
  type ToolDescription,
} from '@kiln/api';
import {
  downloadArtifact,
  type DownloadOptions,
  type DownloadResult,
} from '../download/download-artifact.js';
import type { HttpClient, OpenStream } from '../http/http-client.js';
import type { CallOptions } from '../kiln-options.js';
import { followLog, type FollowLogOptions } from '../stream/follow-log.js';
import { serverEvents, type ArtifactEvent, type EventsOptions } from '../stream/server-events.js';
import { createArtifact, type CreateOptions } from './create-artifact.js';
import { assertName, encodeSegment } from './names.js';
import { waitForArtifact, type WaitOptions } from './wait-for-artifact.js';

/** Options of `list()`. */
export interface ListOptions extends CallOptions {
  /** Only artifacts in this state. */
  status?: ArtifactStatus;
}

/** Options of `status()`. */
export interface StatusOptions extends CallOptions {
  /** Seconds to hold the request until a final state (`?wait=`, at most 60). @defaultValue none */
  wait?: number;
}

/** Options of `log()`. */
export interface LogOptions extends CallOptions {
  /** Byte offset to read from. @defaultValue 0 */
  offset?: number;
}

/** Views served as text rather than JSON. */
const TEXT_VIEWS: readonly string[] = ['csv', 'svg'];

/**
 * The artifact API every container serves (docs/api.md, "Tool container"), on one collection.
 * {@link ToolClient} and {@link PipelineClient} are this on `/artifacts` and `/runs`.
 */
export class ArtifactCollectionClient {
  /** The HTTP client for the container's base URL. */
  readonly http: HttpClient;
  /** `artifacts` or `runs`. */
  readonly collection: Collection;

  constructor(http: HttpClient, collection: Collection) {
    this.http = http;
    this.collection = collection;
  }

  /** The container's base URL. */
  get url(): string {
    return this.http.baseUrl;
  }

  /** The URL of an artifact (`…/artifacts/{name}/`), as artifact references expect. */
  artifactUrl(name: string): string {
    return `${this.http.url(this.#path(name))}/`;
  }

  /** `GET /`: what the container makes and the parameters it takes. */
  describe(call?: CallOptions): Promise<ToolDescription> {
    return this.http.json('GET', '/', { call });
  }

  /** `GET /health`. */
  health(call?: CallOptions): Promise<HealthResponse> {
    return this.http.json('GET', 'health', { call });
  }

  /** `GET /openapi.json`: the container's OpenAPI 3.1 document. */
  openapi(call?: CallOptions): Promise<Record<string, unknown>> {
    return this.http.json('GET', 'openapi.json', { call });
  }

  /** Summaries, newest first; `status` filters. */
  list(options: ListOptions = {}): Promise<ArtifactSummary[]> {
    return this.http.json('GET', this.collection, {
      query: { status: options.status },
      call: options,
    });
  }

  /**
   * Creates an artifact: JSON without files, streamed multipart with them. Not retried, since a
   * second POST could create a second artifact.
   */
  create(options: CreateOptions = {}): Promise<ArtifactSummary> {
    return createArtifact(this.http, this.collection, options);
  }

  /** The full record: summary, parameters, input files, data files, metrics, inputs, digest. */
  get(name: string, call?: CallOptions): Promise<ArtifactRecord> {
    return this.http.json('GET', `${this.#path(name)}/`, { call });
  }

  /**
   * The current status (a summary). With `wait`, one long-poll: the answer comes when the
   * artifact reaches a final state or after `wait` seconds (at most 60), whichever is first.
   */
  status(name: string, options: StatusOptions = {}): Promise<ArtifactSummary> {
    const { wait, ...call } = options;
    return this.http.json('GET', `${this.#path(name)}/status`, {
      query: { wait },
      call,
      ...(wait === undefined ? {} : { extraTimeout: wait * 1000 }),
    });
  }

  /** Waits for a final state with the `?wait=` long-poll; see {@link WaitOptions}. */
  wait(name: string, options: WaitOptions = {}): Promise<ArtifactSummary> {
    return waitForArtifact(this.http, this.#path(name), name, options);
  }

  /** Ends a queued or running build as `cancelled` (a final artifact answers 409). */
  async cancel(name: string, call?: CallOptions): Promise<void> {
    await this.http.text('POST', `${this.#path(name)}/cancel`, { call });
  }

  /** Deletes an artifact, cancelling its build first if it runs. */
  async delete(name: string, call?: CallOptions): Promise<void> {
    await this.http.text('DELETE', `${this.#path(name)}/`, { call });
  }

  /** The log as text, from byte `offset`. */
  log(name: string, options: LogOptions = {}): Promise<string> {
    return this.http.text('GET', `${this.#path(name)}/log`, {
      query: { offset: options.offset },
      call: options,
    });
  }

  /**
   * The log's raw bytes from byte `offset` (what is there now; empty past the end). Bytes, not
   * text, so that a reader going on from `offset + bytes.length` never splits a character.
   */
  logBytes(name: string, options: LogOptions = {}): Promise<Buffer> {
    return this.http.buffer('GET', `${this.#path(name)}/log`, {
      query: { offset: options.offset },
      call: options,
    });
  }

  /** The log line by line as it is written, until the build ends. */
  followLog(name: string, options: FollowLogOptions = {}): AsyncGenerator<string> {
    const path = this.#path(name);
    return followLog(
      this.http,
      path,
      () => this.status(name, options.signal ? { signal: options.signal } : {}),
      options,
    );
  }

  /**
   * Downloads a completed artifact's data to `dest` (a file, or a folder for several files),
   * streamed, checked against the artifact's digest. See {@link DownloadOptions}.
   */
  async download(
    name: string,
    dest: string,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    const record = await this.get(name, options);
    return downloadArtifact(this.http, this.#path(name), record, dest, options);
  }

  /** One file of a completed artifact's data (`data/{path}`), parsed as JSON. */
  dataJson<T = unknown>(name: string, path: string, call?: CallOptions): Promise<T> {
    const segments = path.split('/').map((segment) => encodeSegment(segment, 'data path'));
    return this.http.json('GET', `${this.#path(name)}/data/${segments.join('/')}`, { call });
  }

  /** The parameters as validated, defaults filled in. */
  inputParameters(name: string, call?: CallOptions): Promise<Record<string, unknown>> {
    return this.http.json('GET', `${this.#path(name)}/input-parameters`, { call });
  }

  /** The input files submitted with the artifact. */
  inputFiles(name: string, call?: CallOptions): Promise<InputFileEntry[]> {
    return this.http.json('GET', `${this.#path(name)}/input-files`, { call });
  }

  /** The artifact's metrics: name, kind, views, last point. */
  metrics(name: string, call?: CallOptions): Promise<MetricInfo[]> {
    return this.http.json('GET', `${this.#path(name)}/metrics`, { call });
  }

  /** One view of a metric: `values`, `latest` and `json` parsed, `csv` and `svg` as text. */
  metric(name: string, metric: string, view: 'values', call?: CallOptions): Promise<MetricPoint[]>;
  metric(
    name: string,
    metric: string,
    view: 'latest',
    call?: CallOptions,
  ): Promise<MetricPoint | null>;
  metric(name: string, metric: string, view: 'csv' | 'svg', call?: CallOptions): Promise<string>;
  metric(name: string, metric: string, view: string, call?: CallOptions): Promise<unknown>;
  metric(name: string, metric: string, view: string, call?: CallOptions): Promise<unknown> {
    const path = this.#metricPath(name, metric, view);
    return TEXT_VIEWS.includes(view)
      ? this.http.text('GET', path, { call })
      : this.http.json('GET', path, { call });
  }

  /**
   * One view of a metric as an open stream, with the answer's status and headers, for passing it
   * on as it arrives (the visualization container forwards views this way). The body is the
   * caller's to consume or destroy; an error answer rejects with its problem.
   */
  metricStream(
    name: string,
    metric: string,
    view: string,
    call?: CallOptions,
  ): Promise<OpenStream> {
    return this.http.stream(this.#metricPath(name, metric, view), { call });
  }

  /** `/events` as an async iterator of artifact events. */
  events(options: EventsOptions = {}): AsyncGenerator<ArtifactEvent> {
    return serverEvents(this.http, options);
  }

  #metricPath(name: string, metric: string, view: string): string {
    return `${this.#path(name)}/metrics/${encodeSegment(metric, 'metric')}/${encodeSegment(view, 'view')}`;
  }

  #path(name: string): string {
    assertName(name, this.collection === Collection.Runs ? 'run' : 'artifact');
    return `${this.collection}/${encodeURIComponent(name)}`;
  }
}
