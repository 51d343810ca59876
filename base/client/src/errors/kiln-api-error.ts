import { ErrorCode, KilnError, problemTypeFor, type ProblemDocument } from '@kiln/api';

/** Codes the SDK raises on its own side of the wire (no server answered them). */
export const ClientErrorCode = {
  /** The server could not be reached (refused, reset, DNS), after every retry. */
  ConnectionFailed: ErrorCode.ConnectionFailed,
  /** The call did not finish within its `timeout`. */
  RequestTimeout: ErrorCode.RequestTimeout,
  /** `wait()` gave up before the artifact reached a final state. */
  WaitTimeout: ErrorCode.WaitTimeout,
  /** Downloaded data does not hash to the artifact's `digest`. */
  DigestMismatch: ErrorCode.DigestMismatch,
  /** A zip entry would land outside the download folder. */
  UnsafeArchiveEntry: ErrorCode.UnsafeArchiveEntry,
  /** The server answered something that is not what the contract promises. */
  InvalidResponse: ErrorCode.InvalidResponse,
  /** A local file given to the SDK (an input file, a download target) could not be used. */
  LocalFile: ErrorCode.LocalFileError,
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Where a failed call went: filled in for errors about a request. */
export interface RequestInfo {
  method: string;
  url: string;
}

/** Options of {@link KilnApiError}. */
export interface KilnApiErrorOptions {
  request?: RequestInfo;
  retryable?: boolean;
  cause?: unknown;
}

/**
 * The one error the SDK throws (besides the `AbortError` of a caller's own signal).
 *
 * It carries the RFC 9457 problem document the server sent; for failures on the client's side
 * (no connection, timeout, digest mismatch) the SDK writes an equivalent document, with
 * `status` 502 (no usable answer), 504 (timeout) or 400 (bad argument), so that code can
 * always read `problem`. Match on `code`, which is the problem's `code` member.
 *
 * @example
 * ```ts
 * try { await tool.get('missing'); }
 * catch (error) { if (isKilnApiError(error) && error.code === 'ARTIFACT_NOT_FOUND') { … } }
 * ```
 */
export class KilnApiError extends KilnError {
  /** The problem document: from the server, or written by the SDK for client-side failures. */
  readonly problem: ProblemDocument;
  /** The request that failed, where the error is about one. */
  readonly request: RequestInfo | undefined;

  constructor(problem: ProblemDocument, options: KilnApiErrorOptions = {}) {
    const code = (problem.code ??
      codeFromType(problem.type) ??
      codeFromStatus(problem.status)) as ErrorCode;
    super(code, problem.detail ?? problem.title, {
      status: problem.status,
      retryable: options.retryable ?? (problem.status === 502 || problem.status === 503),
      ...(problem.errors ? { errors: problem.errors } : {}),
      cause: options.cause,
    });
    this.name = 'KilnApiError';
    this.problem = { ...problem, code };
    this.request = options.request;
  }

  /** A `KilnApiError` for a failure on the client's side, with a problem document written here. */
  static client(
    code: ErrorCode,
    title: string,
    detail: string,
    status: number,
    options: KilnApiErrorOptions = {},
  ): KilnApiError {
    return new KilnApiError({ type: problemTypeFor(code), title, status, detail, code }, options);
  }
}

/** True for errors thrown by the SDK; checks `name`, so it also holds across module copies. */
export function isKilnApiError(error: unknown): error is KilnApiError {
  return error instanceof Error && error.name === 'KilnApiError' && 'problem' in error;
}

/** `/problems/artifact-not-found` → `ARTIFACT_NOT_FOUND`. */
function codeFromType(type: string | undefined): string | undefined {
  const match = /^\/problems\/([a-z0-9-]+)$/.exec(type ?? '');
  return match?.[1] ? match[1].toUpperCase().replace(/-/g, '_') : undefined;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  404: ErrorCode.RouteNotFound,
  405: ErrorCode.MethodNotAllowed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  422: ErrorCode.ValidationFailed,
  502: ErrorCode.ContainerUnavailable,
  503: ErrorCode.ServiceUnavailable,
};

function codeFromStatus(status: number): ErrorCode {
  return STATUS_CODES[status] ?? ErrorCode.Internal;
}
