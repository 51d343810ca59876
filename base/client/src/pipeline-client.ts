import {
  Collection,
  type ArtifactSummary,
  type ContainerArtifactSummary,
  type ContainerInfo,
  type RunVariants,
  type StepInfo,
  type TaskDescription,
} from '@kiln/api';
import {
  ArtifactCollectionClient,
  type ListOptions,
} from './collection/artifact-collection-client.js';
import type { CreateOptions } from './collection/create-artifact.js';
import { assertName } from './collection/names.js';
import type { HttpClient } from './http/http-client.js';
import type { CallOptions } from './kiln-options.js';

/**
 * A typed handle on a pipeline container: the artifact API on `/runs` (so `wait`, `log`,
 * `followLog`, `cancel`, `delete`, `download`, `metrics`… all take a run name), plus the
 * pipeline's own routes.
 *
 * @example
 * ```ts
 * const pipeline = kiln.pipeline('fashion-mnist');
 * const run = await pipeline.run({ parameters: { epochs: 2 } });
 * await pipeline.wait(run.name);
 * console.table(await pipeline.steps(run.name));
 * ```
 */
export class PipelineClient extends ArtifactCollectionClient {
  /** The pipeline's container name, when addressed through a gateway. */
  readonly name: string | undefined;

  constructor(http: HttpClient, name?: string) {
    super(http, Collection.Runs);
    this.name = name;
  }

  /** `GET /task`: the task the pipeline solves. */
  task(call?: CallOptions): Promise<TaskDescription> {
    return this.http.json('GET', 'task', { call });
  }

  /** `GET /containers`: the containers the pipeline drives, with their health. */
  containers(call?: CallOptions): Promise<ContainerInfo[]> {
    return this.http.json('GET', 'containers', { call });
  }

  /** `GET /artifacts`: every artifact of every container of the pipeline. */
  artifacts(call?: CallOptions): Promise<ContainerArtifactSummary[]> {
    return this.http.json('GET', 'artifacts', { call });
  }

  /** Starts a run (`POST /runs`); the same options as `create()`. */
  run(options: CreateOptions = {}): Promise<ArtifactSummary> {
    return this.create(options);
  }

  /** The runs, newest first; `status` filters. */
  runs(options: ListOptions = {}): Promise<ArtifactSummary[]> {
    return this.list(options);
  }

  /** `GET /runs/{run}/steps`: one entry per step, with the artifact it made. */
  steps(run: string, call?: CallOptions): Promise<StepInfo[]> {
    assertName(run, 'run');
    return this.http.json('GET', `runs/${encodeURIComponent(run)}/steps`, { call });
  }

  /**
   * `GET /runs/{run}/variants` (a Kiln extension): the run's sweep, each variant's parameters,
   * state, figures and artifacts and the best by the sweep's metric, live while the run goes on;
   * null when the run has swept no variants (yet).
   *
   * @example
   * ```ts
   * const sweep = await pipeline.variants('sweep-1');
   * for (const v of sweep?.results ?? []) console.log(v.name, v.status, v.figures?.accuracy);
   * ```
   */
  variants(run: string, call?: CallOptions): Promise<RunVariants | null> {
    assertName(run, 'run');
    return this.http.json('GET', `runs/${encodeURIComponent(run)}/variants`, { call });
  }
}
