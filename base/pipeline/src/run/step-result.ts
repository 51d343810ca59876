import type { ArtifactRecord, ArtifactSummary } from '@kiln/api';
import type { ToolClient } from '@kiln/client';

/**
 * A completed step: its artifact on its container. Passed among a later step's parameters, it
 * is sent as an artifact URL (`toJSON`), which is what a `kiln-artifact` parameter takes.
 */
export class StepResult {
  /** The step's name in the run. */
  readonly step: string;
  /** The container that built it. */
  readonly container: string;
  /** The artifact's name on that container. */
  readonly artifact: string;
  /**
   * The artifact's URL, naming its container as `docker-compose.yml` does
   * (`http://import:8080/artifacts/{name}/`), so it works as a reference from any container.
   */
  readonly url: string;
  /** The artifact's final summary. */
  readonly summary: ArtifactSummary;
  readonly #client: ToolClient;

  constructor(
    step: string,
    container: string,
    client: ToolClient,
    artifact: string,
    summary: ArtifactSummary,
  ) {
    this.step = step;
    this.container = container;
    this.artifact = artifact;
    this.url = client.artifactUrl(artifact);
    this.summary = summary;
    this.#client = client;
  }

  /** True when the container reused an earlier artifact instead of building. */
  get cached(): boolean {
    return this.summary.cached;
  }

  /** The artifact's full record (files, metrics, digest). */
  record(signal?: AbortSignal): Promise<ArtifactRecord> {
    return this.#client.get(this.artifact, signal ? { signal } : {});
  }

  /** One JSON file of the artifact's data. */
  json<T = unknown>(path: string, signal?: AbortSignal): Promise<T> {
    return this.#client.dataJson<T>(this.artifact, path, signal ? { signal } : {});
  }

  /** A report metric of the artifact (what its build wrote with `ctx.report`). */
  report<T = unknown>(metric: string, signal?: AbortSignal): Promise<T> {
    return this.#client.metric(
      this.artifact,
      metric,
      'json',
      signal ? { signal } : {},
    ) as Promise<T>;
  }

  /**
   * The artifact's URL, so a step result can stand as a parameter value. @kiln/core keys its
   * cache on a reference's digest, not its URL, so a step after a cached one still hits.
   */
  toJSON(): string {
    return this.url;
  }

  toString(): string {
    return this.url;
  }
}
