/**
 * @module @kiln/pipeline
 * `definePipeline({...})` turns a task, the containers it calls and a `run(p)` function into a
 * pipeline container whose artifacts are runs (API.md, Pipeline container), served by
 * `kiln serve` like any tool module. Steps reach their containers through `@kiln/client`, by
 * the names `docker-compose.yml` gives them.
 */
export { definePipeline, resolveContainers } from './define-pipeline.js';
export { stepArtifactName } from './step-name.js';
export { StepResult } from './run/step-result.js';
export { STEPS_REPORT } from './run/step-ledger.js';
export { RUN_DATA_FILE, FIGURES_REPORT } from './run/run-document.js';
export type { RunDocument, RunFigures } from '@kiln/api';
export type {
  BaseRunParameters,
  ContainerSpec,
  PipelineContext,
  PipelineDefinition,
  PipelineRuntimeOptions,
  ResolvedContainer,
  ResolvedPipelineRuntimeOptions,
  StepOptions,
} from './pipeline-definition.js';
