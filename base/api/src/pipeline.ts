import type { ArtifactSummary } from './artifact.js';

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
}

/** `GET /pipelines/` of the dashboard. */
export interface PipelineListing {
  name: string;
  url: string;
  task: Pick<TaskDescription, 'name' | 'description'>;
}

/** `GET /metrics` of the visualization container. */
export interface MetricListing {
  container: string;
  artifact: string;
  metric: string;
  kind: 'series' | 'report';
  last: unknown;
}
