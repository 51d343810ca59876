/**
 * @module @kiln/api
 * The wire types and constants of the Kiln HTTP API (docs/api.md). No runtime dependencies,
 * so servers, the SDK and the browser dashboard share one definition.
 */
export { NAME_PATTERN, isValidName } from './names.js';
export {
  Collection,
  ArtifactStatus,
  ARTIFACT_STATUSES,
  FINAL_STATUSES,
  isFinalStatus,
  type ArtifactSummary,
  type ArtifactStatusResponse,
  type DataFileEntry,
  type InputArtifactRef,
  type InputFileEntry,
  type ArtifactRecord,
  type CreateArtifactRequest,
} from './artifact.js';
export { MetricKind, METRIC_VIEWS, type MetricPoint, type MetricInfo } from './metric.js';
export {
  ContainerKind,
  ARTIFACT_REFERENCE_FORMAT,
  type InputFileSpec,
  type JsonSchema,
  type ToolDescription,
  type HealthResponse,
} from './tool.js';
export { PROBLEM_CONTENT_TYPE, type ProblemDocument, type ValidationIssue } from './problem.js';
export {
  ContainerCategory,
  type TaskDescription,
  type ContainerInfo,
  type ContainerArtifactSummary,
  type ContainerListing,
  type StepInfo,
  VariantGoal,
  type VariantResult,
  type RunVariants,
  type RunDocument,
  type RunFigures,
  type PipelineListing,
  type MetricListing,
  type SessionState,
} from './pipeline.js';
export { KilnEventName } from './events.js';
export {
  ErrorCode,
  KilnError,
  problemTypeFor,
  toProblemDocument,
  type KilnErrorOptions,
} from './kiln-error.js';
export {
  createStreamLogger,
  SILENT_LOGGER,
  LogLevel,
  type LineSink,
  type Logger,
  type LogMeta,
  type StreamLoggerOptions,
} from './logger.js';
export {
  runService,
  type ServiceContext,
  type StartedService,
  type StartService,
} from './service-entry.js';
export {
  LABELLED_DATASET,
  MODEL_ALIASES,
  ModelAlias,
  ModelVersionStatus,
  OipDatatype,
  PredictionSource,
  ServingEventName,
  isSettledVersionStatus,
  type AliasChange,
  type LatencyFigures,
  type ModelDetail,
  type ModelSignature,
  type ModelSummary,
  type ModelVersionInfo,
  type OipInferRequest,
  type OipInferResponse,
  type OipModelMetadata,
  type OipReadyResponse,
  type OipServerMetadata,
  type OipTensor,
  type OipTensorMetadata,
  type PredictionDetail,
  type PredictionInfo,
  type PredictResponse,
  type RegisterVersionRequest,
  type ServingDescription,
  type SetAliasRequest,
  type VersionFigures,
} from './serving.js';
export {
  GATE_METRICS,
  GateMetric,
  RetrainStatus,
  RetrainTrigger,
  isFinalRetrainStatus,
  type FeedbackEvent,
  type FeedbackInfo,
  type FeedbackRequest,
  type FeedbackStats,
  type GateFigures,
  type GateVerdict,
  type RetrainInfo,
  type RetrainPolicy,
  type RetrainPolicyUpdate,
} from './feedback.js';
