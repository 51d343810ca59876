import type {
  ArtifactRecord,
  ArtifactStatus,
  ArtifactSummary,
  HealthResponse,
  InputFileEntry,
  MetricInfo,
  MetricPoint,
  ToolDescription,
} from '@kiln/api';
import {
  downloadArtifact,
  type DownloadOptions,
  type DownloadResult,
} from '../download/download-artifact.js';
import type { HttpClient } from '../http/http-client.js';
import type { CallOptions } from '../kiln-options.js';
import { followLog, type FollowLogOptions } from '../stream/follow-log.js';
import { serverEvents, type ArtifactEvent, type EventsOptions } from '../stream/server-events.js';
import { createArtifact, type CreateOptions } from './create-artifact.js';
import { assertName, encodeSegment } from './names.js';
import { waitForArtifact, type WaitOptions } from './wait-for-artifact.js';

/** The collection a container keeps its artifacts in: `artifacts` for tools, `runs` for pipelines. */
export const Collection = { Artifacts: 'artifacts', Runs: 'runs' } as const;
export type Collection = (typeof Collection)[keyof typeof Collection];

/** Options of `list()`. */
export interface ListOptions extends CallOptions {
  /** Only artifacts in this state. */
  status?: ArtifactStatus;
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

  /** The current status (a summary). */
  status(name: string, call?: CallOptions): Promise<ArtifactSummary> {
    return this.http.json('GET', `${this.#path(name)}/status`, { call });
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
    const path = `${this.#path(name)}/metrics/${encodeSegment(metric, 'metric')}/${encodeSegment(view, 'view')}`;
    return TEXT_VIEWS.includes(view)
      ? this.http.text('GET', path, { call })
      : this.http.json('GET', path, { call });
  }

  /** `/events` as an async iterator of artifact events. */
  events(options: EventsOptions = {}): AsyncGenerator<ArtifactEvent> {
    return serverEvents(this.http, options);
  }

  #path(name: string): string {
    assertName(name, this.collection === Collection.Runs ? 'run' : 'artifact');
    return `${this.collection}/${encodeURIComponent(name)}`;
  }
}
