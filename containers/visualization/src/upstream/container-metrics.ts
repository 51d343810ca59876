import {
  ErrorCode,
  KilnError,
  type ArtifactSummary,
  type MetricInfo,
  type MetricPoint,
} from '@kiln/api';
import {
  Kiln,
  isKilnApiError,
  type OpenStream,
  type PipelineClient,
  type ToolClient,
} from '@kiln/client';

/**
 * One container's metrics, read with `@kiln/client`. Pipelines keep their artifacts (runs)
 * under `/runs`, tools under `/artifacts`: the container says which in `GET /`, asked once and
 * remembered (asked again after a failure: the container may be starting).
 */
export class ContainerMetrics {
  readonly name: string;
  readonly #kiln: Kiln;
  #client: Promise<ToolClient | PipelineClient> | undefined;

  /** `kiln` is a direct client of the container (`Kiln.direct(url, { topology })`). */
  constructor(name: string, kiln: Kiln) {
    this.name = name;
    this.#kiln = kiln;
  }

  /** Every artifact's (or run's) summary, newest first. */
  async listArtifacts(): Promise<ArtifactSummary[]> {
    return this.#call(async (client) => client.list());
  }

  /** An artifact's metrics; an empty list when the artifact has gone meanwhile. */
  async listMetrics(artifact: string): Promise<MetricInfo[]> {
    try {
      return await this.#call((client) => client.metrics(artifact));
    } catch (error) {
      if (error instanceof KilnError && error.status === 404) return [];
      throw error;
    }
  }

  /** Every point of a series metric. */
  seriesValues(artifact: string, metric: string): Promise<MetricPoint[]> {
    return this.#call((client) => client.metric(artifact, metric, 'values'));
  }

  /** One view of a metric as an open stream, to forward as it arrives. */
  streamView(artifact: string, metric: string, view: string): Promise<OpenStream> {
    return this.#call((client) => client.metricStream(artifact, metric, view));
  }

  /** The container's client of the right collection, learned from `GET /` once. */
  #open(): Promise<ToolClient | PipelineClient> {
    this.#client ??= this.#kiln.open().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  /**
   * Runs a call on the container. A container that cannot be reached is a
   * `CONTAINER_UNAVAILABLE` (502); its own problems (404, 400…) pass through as they are.
   */
  async #call<T>(call: (client: ToolClient | PipelineClient) => Promise<T>): Promise<T> {
    try {
      return await call(await this.#open());
    } catch (error) {
      if (isKilnApiError(error) && isUnreachable(error.code)) {
        throw new KilnError(
          ErrorCode.ContainerUnavailable,
          `container '${this.name}' did not answer`,
          { status: 502, retryable: true, cause: error },
        );
      }
      throw error;
    }
  }
}

function isUnreachable(code: string): boolean {
  return (
    code === ErrorCode.ConnectionFailed ||
    code === ErrorCode.RequestTimeout ||
    code === ErrorCode.InvalidResponse
  );
}
