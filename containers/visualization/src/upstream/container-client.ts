import {
  ErrorCode,
  KilnError,
  type ArtifactSummary,
  type MetricInfo,
  type MetricPoint,
  type ToolDescription,
} from '@kiln/api';
import got, { HTTPError, type Got, type Request as GotRequest } from 'got';
import type { ContainerEndpoint } from '../container-urls.js';

/** Options of {@link ContainerClient}. */
export interface ContainerClientOptions {
  /**
   * How long one JSON request to a container may take.
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/**
 * Reads one container's artifact API. Pipelines keep their artifacts (runs) under `/runs`,
 * tools under `/artifacts`; the client learns which from `GET /` once and remembers it.
 */
export class ContainerClient {
  readonly name: string;
  readonly url: string;
  readonly #http: Got;
  #collection: Promise<string> | undefined;

  constructor(endpoint: ContainerEndpoint, options: ContainerClientOptions = {}) {
    this.name = endpoint.name;
    this.url = endpoint.url;
    this.#http = got.extend({
      prefixUrl: endpoint.url,
      timeout: { request: options.timeoutMs ?? 30_000 },
      retry: { limit: 0 },
    });
  }

  /** `/artifacts` or `/runs`. */
  collection(): Promise<string> {
    this.#collection ??= this.#json<ToolDescription>('').then(
      (description) => (description.kind === 'pipeline' ? 'runs' : 'artifacts'),
      (error: unknown) => {
        this.#collection = undefined; // ask again next time: the container may be starting
        throw error;
      },
    );
    return this.#collection;
  }

  /** Every artifact's summary, newest first. */
  async listArtifacts(): Promise<ArtifactSummary[]> {
    return this.#json<ArtifactSummary[]>(await this.collection());
  }

  /** An artifact's metrics; an empty list when the artifact has gone meanwhile. */
  async listMetrics(artifact: string): Promise<MetricInfo[]> {
    try {
      return await this.#json<MetricInfo[]>(
        `${await this.collection()}/${encodeURIComponent(artifact)}/metrics`,
      );
    } catch (error) {
      if (error instanceof KilnError && error.status === 404) return [];
      throw error;
    }
  }

  /** Every point of a series metric. */
  async seriesValues(artifact: string, metric: string): Promise<MetricPoint[]> {
    return this.#json<MetricPoint[]>(await this.viewPath(artifact, metric, 'values'));
  }

  /** The path (relative to the container) of one view of one metric. */
  async viewPath(artifact: string, metric: string, view: string): Promise<string> {
    const parts = [artifact, 'metrics', metric, view].map(encodeURIComponent).join('/');
    return `${await this.collection()}/${parts}`;
  }

  /** A raw stream of a view, whatever its status: the caller forwards status and headers. */
  async streamView(artifact: string, metric: string, view: string): Promise<GotRequest> {
    return this.#http.stream(await this.viewPath(artifact, metric, view), {
      throwHttpErrors: false,
    });
  }

  async #json<T>(path: string): Promise<T> {
    try {
      return await this.#http(path).json<T>();
    } catch (error) {
      throw this.#toKilnError(path, error);
    }
  }

  #toKilnError(path: string, error: unknown): KilnError {
    if (error instanceof HTTPError) {
      const status = error.response.statusCode;
      return new KilnError(
        status === 404 ? ErrorCode.ArtifactNotFound : ErrorCode.ContainerUnavailable,
        `container '${this.name}' answered ${status} to /${path}`,
        { status: status === 404 ? 404 : 502, retryable: status >= 500, cause: error },
      );
    }
    return new KilnError(
      ErrorCode.ContainerUnavailable,
      `container '${this.name}' did not answer`,
      {
        status: 502,
        retryable: true,
        cause: error,
      },
    );
  }
}
