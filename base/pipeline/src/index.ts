/**
 * @module @kiln/pipeline
 * `definePipeline({...})` turns a task, the containers it calls and a `run(p)` function into a
 * pipeline container whose artifacts are runs (docs/api.md, Pipeline container), served by
 * `kiln serve` like any tool module. Steps reach their containers through `@kiln/client`, by
 * the names `docker-compose.yml` gives them.
 */
export { definePipeline, resolveContainers } from './define-pipeline.js';
export { stepArtifactName } from './step-name.js';
export { StepResult } from './run/step-result.js';
export { STEPS_REPORT } from './run/step-ledger.js';
export { VARIANTS_REPORT } from './run/sweep-board.js';
export { RUN_DATA_FILE, FIGURES_REPORT } from './run/run-document.js';
export { VariantGoal } from '@kiln/api';
export type { RunDocument, RunFigures, RunVariants, VariantResult } from '@kiln/api';
export type {
  ContainerSpec,
  PipelineContext,
  PipelineDefinition,
  PipelineRuntimeOptions,
  ResolvedContainer,
  ResolvedPipelineRuntimeOptions,
} from './pipeline-definition.js';
export type { BaseRunParameters, StepContext, StepOptions } from './step-context.js';
export type {
  SweepOptions,
  SweepResult,
  Variant,
  VariantBody,
  VariantContext,
  VariantOutcome,
} from './sweep-definition.js';
