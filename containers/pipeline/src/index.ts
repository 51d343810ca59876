/**
 * @module @kiln/pipeline
 * The pipeline container: `definePipeline({...})` turns a task, its containers and a `run(p)`
 * function into a container whose artifacts are runs (docs/api.md, Pipeline container).
 */
export { definePipeline, resolveContainers } from './define-pipeline.js';
export { parseContainerUrls, defaultContainerUrl } from './container-urls.js';
export { stepArtifactName } from './step-name.js';
export { StepResult } from './run/step-result.js';
export { STEPS_REPORT } from './run/step-ledger.js';
export { RUN_DATA_FILE, FIGURES_REPORT, type RunDocument } from './run/run-document.js';
export type {
  BaseRunParameters,
  ContainerSpec,
  PipelineContext,
  PipelineDefinition,
  PipelineRuntimeOptions,
  ResolvedContainer,
  ResolvedPipelineRuntimeOptions,
  RunFigures,
  StepOptions,
} from './pipeline-definition.js';
