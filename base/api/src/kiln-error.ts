import type { ProblemDocument, ValidationIssue } from './problem.js';

/**
 * Stable error codes. Match on these across process and HTTP boundaries, never on
 * `instanceof`. docs/errors.md lists each with its meaning.
 */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  InvalidName: 'INVALID_NAME',
  InvalidPath: 'INVALID_PATH',
  InvalidQuery: 'INVALID_QUERY',
  MalformedJson: 'MALFORMED_JSON',
  MalformedMultipart: 'MALFORMED_MULTIPART',
  NestingTooDeep: 'NESTING_TOO_DEEP',
  UnknownField: 'UNKNOWN_FIELD',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  RangeNotSatisfiable: 'RANGE_NOT_SATISFIABLE',
  HeadersTooLarge: 'HEADERS_TOO_LARGE',
  ValidationFailed: 'VALIDATION_FAILED',
  ArtifactNotFound: 'ARTIFACT_NOT_FOUND',
  FileNotFound: 'FILE_NOT_FOUND',
  MetricNotFound: 'METRIC_NOT_FOUND',
  RouteNotFound: 'ROUTE_NOT_FOUND',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  ArtifactExists: 'ARTIFACT_EXISTS',
  ArtifactNotCompleted: 'ARTIFACT_NOT_COMPLETED',
  ArtifactFinal: 'ARTIFACT_ALREADY_FINAL',
  InputArtifactUnavailable: 'INPUT_ARTIFACT_UNAVAILABLE',
  BuildFailed: 'MULE_BUILD_FAILED',
  MuleCrashed: 'MULE_CRASHED',
  MuleStartFailed: 'MULE_START_FAILED',
  Unauthorized: 'UNAUTHORIZED',
  ContainerNotFound: 'CONTAINER_NOT_FOUND',
  ContainerUnavailable: 'CONTAINER_UNAVAILABLE',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  /** Cluster mode: the shared database cannot be reached (a restart, a lost network); 503. */
  DatabaseUnavailable: 'DATABASE_UNAVAILABLE',
  // The serving container's (docs/api.md, "Serving container").
  ModelNotFound: 'MODEL_NOT_FOUND',
  VersionNotFound: 'VERSION_NOT_FOUND',
  PredictionNotFound: 'PREDICTION_NOT_FOUND',
  InvalidAlias: 'INVALID_ALIAS',
  InvalidTensor: 'INVALID_TENSOR',
  InvalidImage: 'INVALID_IMAGE',
  ImageTooLarge: 'IMAGE_TOO_LARGE',
  VersionUnusable: 'VERSION_UNUSABLE',
  ModelNotReady: 'MODEL_NOT_READY',
  ModelCrashed: 'MODEL_CRASHED',
  // The serving container's feedback loop.
  InvalidLabel: 'INVALID_LABEL',
  FeedbackExists: 'FEEDBACK_EXISTS',
  RetrainRunning: 'RETRAIN_RUNNING',
  NothingToRetrain: 'NOTHING_TO_RETRAIN',
  RetrainNotFound: 'RETRAIN_NOT_FOUND',
  FeedbackNotFound: 'FEEDBACK_NOT_FOUND',
  Internal: 'INTERNAL',
  /** A server option (flag, environment variable, `startToolServer` option) is refused. */
  InvalidOption: 'INVALID_OPTION',
  // A container's configuration, refused when it starts.
  InvalidTopology: 'INVALID_TOPOLOGY',
  // Raised on the client's side of the wire (the SDK and CLI); no server sends them.
  ConnectionFailed: 'CONNECTION_FAILED',
  RequestTimeout: 'REQUEST_TIMEOUT',
  WaitTimeout: 'WAIT_TIMEOUT',
  DigestMismatch: 'DIGEST_MISMATCH',
  UnsafeArchiveEntry: 'UNSAFE_ARCHIVE_ENTRY',
  InvalidResponse: 'INVALID_RESPONSE',
  LocalFileError: 'LOCAL_FILE_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface KilnErrorOptions {
  /** The HTTP status this error maps to. @defaultValue 500 */
  status?: number;
  /** Whether trying the same operation again may succeed. @defaultValue false */
  retryable?: boolean;
  /** Validation issues (422, 400). */
  errors?: ValidationIssue[];
  cause?: unknown;
}

/** The one base error of Kiln: a stable `code`, an HTTP `status`, `retryable`, ES2022 `cause`. */
export class KilnError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly errors: ValidationIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: KilnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KilnError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.errors = options.errors;
  }
}

/** The short human title of each status, used as a problem document's `title` fallback. */
const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  417: 'Expectation failed',
  431: 'Request header fields too large',
  422: 'Validation failed',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** `ARTIFACT_NOT_FOUND` → `/problems/artifact-not-found`. */
export function problemTypeFor(code: string): string {
  return `/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * The RFC 9457 document for an error. On 5xx the detail is generic unless the error is a
 * KilnError meant for clients (`exposeDetail`), since raw messages leak internals.
 */
export function toProblemDocument(error: unknown, instance?: string): ProblemDocument {
  const kiln = error instanceof KilnError ? error : undefined;
  const status = kiln?.status ?? 500;
  const code = kiln?.code ?? ErrorCode.Internal;
  const problem: ProblemDocument = {
    type: problemTypeFor(code),
    title: STATUS_TITLES[status] ?? 'Error',
    status,
    // A KilnError's message is written for clients, except on a 500, which stands for anything
    // unexpected: its text may leak internals.
    detail: kiln && status !== 500 ? kiln.message : 'the server failed to handle the request',
    code,
  };
  if (kiln?.errors) problem.errors = kiln.errors;
  if (instance) problem.instance = instance;
  return problem;
}
