/**
 * @module @kiln/client
 * The typed TypeScript SDK for Kiln, on got: tool and pipeline containers, directly or through
 * the gateway. The wire types of `@kiln/api` are re-exported, so one import covers a script.
 */
export { Kiln, KilnMode, type ArtifactAt } from './kiln.js';
export { ToolClient } from './tool-client.js';
export { PipelineClient } from './pipeline-client.js';
export {
  ServingClient,
  type ImageInput,
  type PredictionListOptions,
  type ServingEvent,
  type VersionCallOptions,
  type VersionWaitOptions,
} from './serving-client.js';
export {
  ArtifactCollectionClient,
  type ListOptions,
  type LogOptions,
  type StatusOptions,
} from './collection/artifact-collection-client.js';
export type { CreateOptions, UploadProgress } from './collection/create-artifact.js';
export { parseArtifactUrl, type ParsedArtifactUrl } from './collection/artifact-url.js';
export type { WaitOptions } from './collection/wait-for-artifact.js';
export type { InputFile } from './http/multipart-body.js';
export type { FollowLogOptions } from './stream/follow-log.js';
export { LineSplitter } from './stream/line-splitter.js';
export { SseParser, type RawServerSentEvent } from './stream/sse-parser.js';
export type { ArtifactEvent, EventsOptions } from './stream/server-events.js';
export {
  DownloadPhase,
  type DownloadOptions,
  type DownloadProgress,
  type DownloadResult,
} from './download/download-artifact.js';
export { artifactDigest, type HashedFile } from './download/artifact-digest.js';
export {
  ClientErrorCode,
  KilnApiError,
  isKilnApiError,
  type KilnApiErrorOptions,
  type RequestInfo,
} from './errors/kiln-api-error.js';
export {
  resolveKilnOptions,
  type CallOptions,
  type KilnOptions,
  type ResolvedKilnOptions,
} from './kiln-options.js';
export { retryWithGrace, type RetryGraceOptions } from './http/retry-grace.js';
export {
  HttpClient,
  type Query,
  type RequestOptions,
  type OpenStream,
} from './http/http-client.js';
export {
  ARTIFACT_REFERENCE_FORMAT,
  ARTIFACT_STATUSES,
  ArtifactStatus,
  Collection,
  ContainerCategory,
  ContainerKind,
  ErrorCode,
  FINAL_STATUSES,
  KilnError,
  METRIC_VIEWS,
  MetricKind,
  NAME_PATTERN,
  isFinalStatus,
  isValidName,
  type ArtifactRecord,
  type ArtifactSummary,
  type ContainerArtifactSummary,
  type ContainerInfo,
  type ContainerListing,
  type CreateArtifactRequest,
  type DataFileEntry,
  type HealthResponse,
  type InputArtifactRef,
  type InputFileEntry,
  type InputFileSpec,
  type JsonSchema,
  type MetricInfo,
  type MetricListing,
  type MetricPoint,
  type PipelineListing,
  type ProblemDocument,
  type RunDocument,
  type RunFigures,
  type RunVariants,
  type StepInfo,
  VariantGoal,
  type VariantResult,
  type TaskDescription,
  type ToolDescription,
  type ValidationIssue,
  MODEL_ALIASES,
  ModelAlias,
  ModelVersionStatus,
  ServingEventName,
  type AliasChange,
  type ModelDetail,
  type ModelSignature,
  type ModelSummary,
  type ModelVersionInfo,
  type OipInferRequest,
  type OipInferResponse,
  type OipModelMetadata,
  type OipTensor,
  type PredictResponse,
  type PredictionDetail,
  type PredictionInfo,
  type RegisterVersionRequest,
  type ServingDescription,
  type VersionFigures,
} from '@kiln/api';
export {
  Topology,
  ServiceRole,
  type TopologyDescription,
  type TopologyService,
} from '@kiln/topology';
