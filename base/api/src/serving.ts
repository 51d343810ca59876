/**
 * Wire types of the serving container (docs/api.md, "Serving container"): Kiln's own routes under
 * `/models` and `/predictions`, and the Open Inference Protocol (V2, REST) under `/v2`.
 */

/** `GET /` of a serving container. */
export interface ServingDescription {
  kind: 'serving';
  api: 'kiln/v1';
  name: string;
  version: string;
  description: string;
  /** The names of the models it serves. */
  models: string[];
}

/** The aliases a model's versions can hold. */
export const ModelAlias = { Champion: 'champion', Challenger: 'challenger' } as const;
export type ModelAlias = (typeof ModelAlias)[keyof typeof ModelAlias];

export const MODEL_ALIASES: readonly ModelAlias[] = Object.values(ModelAlias);

/**
 * Where a version stands. `loading`: being fetched, loaded, warmed up and evaluated, or loaded
 * again for an alias; `ready`: loaded in its own process and answering; `failed`: it could not be
 * fetched, loaded or warmed up (`reason` says why); `rejected`: a gate refused it; `retired`:
 * evaluated and kept, but no alias holds it, so it is not loaded (promoting it loads it again).
 */
export const ModelVersionStatus = {
  Loading: 'loading',
  Ready: 'ready',
  Failed: 'failed',
  Rejected: 'rejected',
  Retired: 'retired',
} as const;
export type ModelVersionStatus = (typeof ModelVersionStatus)[keyof typeof ModelVersionStatus];

/** A version's status once its registration has settled (anything but `loading`). */
export function isSettledVersionStatus(status: ModelVersionStatus): boolean {
  return status !== ModelVersionStatus.Loading;
}

/** Latency figures in milliseconds, measured inside the model's process. */
export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  runs: number;
}

/** What the serving container measured of a version when it registered it. */
export interface VersionFigures {
  /** Share of the evaluation set classified right; null without an evaluation set. */
  accuracy: number | null;
  /** Images classified right, and evaluated, on the evaluation set (0 without one). */
  correct: number;
  count: number;
  /** The evaluation set (URL of a dataset artifact) and the set within it, or null. */
  evaluation: { dataset: string; set: string } | null;
  /** One image at a time, in the model's process (no HTTP). */
  latency: LatencyFigures;
  /** Images a second at batch size `batchSize`, in the model's process. */
  samplesPerSecond: number;
  batchSize: number;
  /** The TensorFlow.js backend the model's process runs on (`wasm`, `cpu`, `tensorflow`). */
  backend: string;
  parameterCount: number;
  /** Milliseconds to start the process, load the model and warm it up. */
  loadMs: number;
}

/** What a model takes and gives, from its `model.json` (the train container's metadata). */
export interface ModelSignature {
  /** Class names, by label index. */
  classes: string[];
  /** Shape of one image as the network takes it (`[28, 28, 1]`, `[784]`). */
  inputShape: number[];
  /** Height and width of the images the network takes. */
  imageSize: { height: number; width: number };
  /** The network's input is `pixel * scale + offset` (pixels 0–255). */
  normalization: { method: string; scale: number; offset: number };
  architecture: string;
}

/** `GET /models/{model}/versions` entries. */
export interface ModelVersionInfo {
  /** The model's name (an extension of docs/api.md's listing). */
  model: string;
  version: number;
  /** URL of the model artifact it was made from. */
  artifact: string;
  status: ModelVersionStatus;
  /** Null until the version has been evaluated. */
  figures: VersionFigures | null;
  /** Accuracy on the feedback it received; null while there is none. */
  feedbackAccuracy: number | null;
  createdAt: string;
  /** Why it failed or was rejected; null otherwise. */
  reason: string | null;
  /** The aliases this version holds (extension). */
  aliases: ModelAlias[];
  /** What the network takes and gives, once loaded (extension). */
  signature: ModelSignature | null;
  /** The pipeline run it came from, when a pipeline watcher registered it (extension). */
  source: { pipeline: string; run: string } | null;
}

/** `GET /models` entries. */
export interface ModelSummary {
  name: string;
  /** Alias → version. */
  aliases: Partial<Record<ModelAlias, number>>;
  /** How many versions the model has. */
  versions: number;
  /** The retraining policy; null while the container has none (it does not retrain yet). */
  policy: null;
}

/** One move of an alias (`GET /models/{model}` → `history`, the `alias` event). */
export interface AliasChange {
  model: string;
  alias: ModelAlias;
  /** The version the alias points to now; null when it was cleared. */
  version: number | null;
  /** The version it pointed to before; null when it was unset. */
  previous: number | null;
  at: string;
}

/** `GET /models/{model}` (extension): the summary with the recent alias moves, newest first. */
export interface ModelDetail extends ModelSummary {
  history: AliasChange[];
}

/** Body of `POST /models/{model}/versions`. */
export interface RegisterVersionRequest {
  /** URL of a completed model artifact of the train container. */
  artifact: string;
  /**
   * URL of a completed dataset artifact (export, process, import) to evaluate on (extension).
   * @defaultValue the evaluation set of the model's latest version that had one
   */
  evaluation?: string;
  /** The set of that dataset to evaluate on (extension). @defaultValue 'test' */
  set?: string;
}

/** Body of `PUT /models/{model}/aliases/{alias}`. */
export interface SetAliasRequest {
  version: number;
}

/** `POST /models/{model}/predict`. */
export interface PredictResponse {
  predictionId: string;
  model: string;
  version: number;
  /** The predicted class index. */
  label: number;
  /** The predicted class name. */
  class: string;
  /** One probability per class, by label index. */
  probabilities: number[];
  /** Class names, by label index. */
  classes: string[];
}

/** How a prediction's input reached the server. */
export const PredictionSource = { Oip: 'oip', Image: 'image' } as const;
export type PredictionSource = (typeof PredictionSource)[keyof typeof PredictionSource];

/** `GET /predictions` entries and `GET /predictions/{id}`. */
export interface PredictionInfo {
  id: string;
  model: string;
  version: number;
  /** The predicted class index. */
  label: number;
  /** Its probability. */
  confidence: number;
  createdAt: string;
  /** The label a person gave it; null while it has none. */
  feedback: number | null;
  /** `oip` or `image` (extension). */
  source: PredictionSource;
}

/** `GET /predictions/{id}` (extension): the entry plus every probability. */
export interface PredictionDetail extends PredictionInfo {
  probabilities: number[];
}

/** Server-Sent Event names on a serving container's `/events`. */
export const ServingEventName = {
  Prediction: 'prediction',
  Version: 'version',
  Alias: 'alias',
} as const;
export type ServingEventName = (typeof ServingEventName)[keyof typeof ServingEventName];

// ---- Open Inference Protocol (V2, REST)

/** The tensor datatypes a Kiln model takes. */
export const OipDatatype = { Fp32: 'FP32', Uint8: 'UINT8' } as const;
export type OipDatatype = (typeof OipDatatype)[keyof typeof OipDatatype];

/** One tensor of a request or response; `data` is row-major, flat or nested. */
export interface OipTensor {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, unknown>;
  data: unknown[];
}

/** `POST /v2/models/{model}[/versions/{v}]/infer`. */
export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipTensor[];
  outputs?: Array<{ name: string; parameters?: Record<string, unknown> }>;
}

/** The answer to an infer request; `parameters.prediction_ids` names each row's prediction. */
export interface OipInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  parameters: { prediction_ids: string[] };
  outputs: Array<{ name: string; shape: number[]; datatype: 'FP32'; data: number[] }>;
}

/** A tensor in model metadata (`-1`: any size). */
export interface OipTensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** `GET /v2/models/{model}[/versions/{v}]`. */
export interface OipModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

/** `GET /v2`. */
export interface OipServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/** `GET /v2/models/{model}/ready` and `…/versions/{v}/ready`. */
export interface OipReadyResponse {
  name: string;
  ready: boolean;
}
