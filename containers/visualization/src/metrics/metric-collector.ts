import {
  isFinalStatus,
  type ArtifactSummary,
  type MetricInfo,
  type MetricListing,
} from '@kiln/api';
import type { Logger } from '@kiln/core';
import type { ContainerMetrics } from '../upstream/container-metrics.js';
import { mapLimit } from '../util/map-limit.js';
import type { SeriesData } from '../tensorboard/event-file.js';

/** The series of one artifact, ready to become one event file. */
export interface ArtifactSeries {
  container: string;
  artifact: string;
  createdAt: Date;
  series: SeriesData[];
}

interface CachedMetrics {
  stamp: string;
  metrics: MetricInfo[];
}

/**
 * Walks every container's artifacts and their metrics. Metric lists of artifacts in a final
 * state never change, so they are kept and not asked for again; a container that does not
 * answer is left out of the result (and logged) rather than failing the whole listing.
 */
export class MetricCollector {
  readonly #clients: readonly ContainerMetrics[];
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #cache = new Map<string, CachedMetrics>();

  constructor(clients: readonly ContainerMetrics[], logger: Logger, concurrency = 8) {
    this.#clients = clients;
    this.#logger = logger;
    this.#concurrency = concurrency;
  }

  /** `GET /metrics`: one entry per metric of every artifact of every container. */
  async listAll(): Promise<MetricListing[]> {
    const perContainer = await Promise.all(
      this.#clients.map((client) => this.#listContainer(client)),
    );
    return perContainer.flat();
  }

  /** The series of every artifact that has any, one artifact at a time. */
  async *series(): AsyncGenerator<ArtifactSeries> {
    for (const client of this.#clients) {
      const artifacts = await this.#artifactsOf(client);
      for (const artifact of artifacts) {
        const metrics = (await this.#metricsOf(client, artifact)).filter(
          (m) => m.kind === 'series',
        );
        if (metrics.length === 0) continue;
        const series = await this.#seriesOf(client, artifact.name, metrics);
        if (!series) continue;
        yield {
          container: client.name,
          artifact: artifact.name,
          createdAt: new Date(artifact.createdAt),
          series,
        };
      }
    }
  }

  async #listContainer(client: ContainerMetrics): Promise<MetricListing[]> {
    const artifacts = await this.#artifactsOf(client);
    const lists = await mapLimit(artifacts, this.#concurrency, (artifact) =>
      this.#metricsOf(client, artifact),
    );
    return artifacts.flatMap((artifact, index) =>
      (lists[index] ?? []).map((metric) => ({
        container: client.name,
        artifact: artifact.name,
        metric: metric.name,
        kind: metric.kind,
        last: metric.last,
      })),
    );
  }

  async #artifactsOf(client: ContainerMetrics): Promise<ArtifactSummary[]> {
    try {
      const artifacts = await client.listArtifacts();
      this.#forgetMissing(client.name, artifacts);
      // a queued artifact has not run yet, so it has no metrics to ask for
      return artifacts.filter((artifact) => artifact.status !== 'queued');
    } catch (error) {
      this.#leftOut(client.name, undefined, error);
      return [];
    }
  }

  async #metricsOf(client: ContainerMetrics, artifact: ArtifactSummary): Promise<MetricInfo[]> {
    const key = `${client.name}/${artifact.name}`;
    const stamp = `${artifact.createdAt}|${artifact.finishedAt ?? ''}`;
    const cached = this.#cache.get(key);
    if (cached?.stamp === stamp) return cached.metrics;
    try {
      const metrics = await client.listMetrics(artifact.name);
      if (isFinalStatus(artifact.status)) this.#cache.set(key, { stamp, metrics });
      return metrics;
    } catch (error) {
      this.#leftOut(client.name, artifact.name, error);
      return [];
    }
  }

  async #seriesOf(
    client: ContainerMetrics,
    artifact: string,
    metrics: readonly MetricInfo[],
  ): Promise<SeriesData[] | undefined> {
    try {
      return await Promise.all(
        metrics.map(async (m) => ({
          tag: m.name,
          points: await client.seriesValues(artifact, m.name),
        })),
      );
    } catch (error) {
      this.#leftOut(client.name, artifact, error);
      return undefined;
    }
  }

  #leftOut(container: string, artifact: string | undefined, error: unknown): void {
    this.#logger.warn('left out of the metrics', {
      container,
      ...(artifact === undefined ? {} : { artifact }),
      reason: error instanceof Error ? error.message : String(error),
    });
  }

  #forgetMissing(container: string, artifacts: readonly ArtifactSummary[]): void {
    const present = new Set(artifacts.map((artifact) => `${container}/${artifact.name}`));
    for (const key of this.#cache.keys()) {
      if (key.startsWith(`${container}/`) && !present.has(key)) this.#cache.delete(key);
    }
  }
}
