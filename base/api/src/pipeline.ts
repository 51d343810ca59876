import type { ArtifactSummary } from './artifact.js';
import type { MetricKind, MetricPoint } from './metric.js';
import type { ContainerKind } from './tool.js';

/** `GET /task` of a pipeline container. Field names follow API.md exactly. */
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
