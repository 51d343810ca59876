import type { ArtifactSummary } from './artifact.js';
import type { MetricKind, MetricPoint } from './metric.js';
import type { ContainerKind } from './tool.js';

/** `GET /task` of a pipeline container. Field names follow docs/api.md exactly. */
export interface TaskDescription {
  /** Reverse-domain notation, e.g. `org.kiln.fashion-mnist`. */
  name: string;
  description: string;
  output: string;
  constraints: string;
  archives: string;
  evaluation_criterias: string;
  cost_function: string;
  evaluation_dataset: string;
}

export const ContainerCategory = { Data: 'data', Model: 'model', Benchmark: 'benchmark' } as const;
export type ContainerCategory = (typeof ContainerCategory)[keyof typeof ContainerCategory];

/** `GET /containers` entries. */
export interface ContainerInfo {
  name: string;
  url: string;
  category: ContainerCategory;
  description: string;
  artifactType: string;
  healthy: boolean;
}

/** `GET /artifacts` of a pipeline: every container's artifacts. */
export interface ContainerArtifactSummary extends ArtifactSummary {
  container: string;
}

/** `GET /runs/{name}/steps` entries. */
export interface StepInfo {
  step: string;
  container: string;
  artifact: string;
  url: string;
  status: ArtifactSummary['status'];
  cached: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  /**
   * The variant of a sweep this step belongs to (a Kiln extension); absent for the run's own
   * steps. A variant's steps are named `<step>-<variant>` (`train-wide`).
   */
  variant?: string;
}

/** Whether a sweep's best variant has the highest or the lowest value of its metric. */
export const VariantGoal = { Max: 'max', Min: 'min' } as const;
export type VariantGoal = (typeof VariantGoal)[keyof typeof VariantGoal];

/**
 * One variant of a sweep (a Kiln extension): a run's data (`variants.results`) and
 * `GET /runs/{name}/variants` show one per variant, in the order the run gave them.
 */
export interface VariantResult {
  /** The variant's name, also the suffix of its steps' names. */
  name: string;
  /** The variant as the run gave it, less its name: what sets it apart from the others. */
  parameters: Record<string, unknown>;
  /** `in-progress` while its steps run, then `completed`, `failed` or `cancelled`. */
  status: ArtifactSummary['status'];
  /** Why it failed or was cancelled; null otherwise. */
  error: string | null;
  /** The figures its steps gave (accuracy, …); null until it completed. */
  figures: RunFigures | null;
  /** Its steps: the name a step was given in the variant (`train`) → its name in the run (`train-wide`). */
  steps: Record<string, string>;
  /** The name a step was given in the variant → its artifact's URL, in compose form. */
  artifacts: Record<string, string>;
  /** The same artifacts through the project's gateway (`/containers/train/artifacts/…/`). */
  links: Record<string, string>;
  startedAt: string;
  finishedAt: string | null;
}

/**
 * A sweep's variants side by side (a Kiln extension): `variants` in a run's data, and
 * `GET /runs/{name}/variants` while the run is in progress.
 */
export interface RunVariants {
  /** The figure the variants are compared by: the task's metric (`accuracy`). */
  metric: string;
  /** Whether the highest (`max`) or the lowest (`min`) value of `metric` is best. */
  goal: VariantGoal;
  /** The best completed variant by `metric`; null while none has completed with that figure. */
  best: string | null;
  /** The variants that failed, in order; a failed variant never fails the others. */
  failed: string[];
  /** Every variant, in the order the run gave them. */
  results: VariantResult[];
}

/** Headline figures a run reports (accuracy, loss, …); any JSON. */
export type RunFigures = Record<string, unknown>;

/**
 * A completed run's data (`GET /runs/{name}/data`, the file `run.json`): every step's artifact
 * URL and the benchmark's headline figures. Artifact URLs name containers as
 * `docker-compose.yml` does (`http://import:8080/artifacts/…/`); the gateway shows them as
 * `/containers/import/…` links.
 */
export interface RunDocument {
  /** The run's name. */
  run: string;
  /** The pipeline's name and version. */
  pipeline: string;
  version: string;
  /** The task's reverse-domain name. */
  task: string;
  /** The run's parameters, defaults filled in. */
  parameters: Record<string, unknown>;
  /** Every step, in order, as `GET /runs/{name}/steps` shows them. */
  steps: StepInfo[];
  /** Step name → artifact URL, in compose form (what references carry). */
  artifacts: Record<string, string>;
  /**
   * Step name → where a person reads that artifact through the project's gateway: a path on its
   * origin (`/containers/import/artifacts/…/`), or the URL itself for a container outside the
   * project. The gateway passes data files through untouched, so the run's data carries both.
   */
  links: Record<string, string>;
  /** What the pipeline's `run(p)` returned: the headline figures. */
  figures: RunFigures;
  /** The variants of the run's sweep, side by side; absent when the run swept none. */
  variants?: RunVariants;
}

/**
 * `GET /pipelines/` of the dashboard. `available` is a Kiln extension: false when the pipeline
 * did not answer, in which case `task` is the last one it gave (or empty).
 */
export interface PipelineListing {
  name: string;
  /** The pipeline's path behind the gateway: `/containers/{name}/`. */
  url: string;
  task: Pick<TaskDescription, 'name' | 'description'>;
  available: boolean;
}

/**
 * `GET /containers/` of the dashboard (a Kiln extension): every artifact container of the
 * project's topology, tools no pipeline uses included.
 */
export interface ContainerListing {
  /** The service name (`docker-compose.yml`), also its gateway name. */
  name: string;
  /** What `GET /` says it is; null while the container has not answered. */
  kind: ContainerKind | null;
  /** Its path behind the gateway: `/containers/{name}/`. */
  url: string;
  description: string;
  /** What it makes (`dataset`, `model`, `run`…); empty while it has not answered. */
  artifactType: string;
  /** How the first pipeline that uses it classes it; null when no pipeline does. */
  category: ContainerCategory | null;
  /** Whether `GET /health` answered 200 just now. */
  healthy: boolean;
  /** The pipelines whose `/containers` name it, in listing order. */
  pipelines: string[];
}

/** `GET /metrics` of the visualization container. */
export interface MetricListing {
  container: string;
  artifact: string;
  metric: string;
  kind: MetricKind;
  last: MetricPoint | null;
}

/** The gateway's `GET /auth/session` (a Kiln extension). */
export interface SessionState {
  /** Whether the project has a token. */
  required: boolean;
  /** Whether this request carries a valid token or session. */
  authenticated: boolean;
}
