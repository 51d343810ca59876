import { ErrorCode, type ProblemDocument } from '@kiln/api';
import { isGotHttpError, isGotRequestError } from './load-got.js';
import { ClientErrorCode, KilnApiError, type RequestInfo } from '../errors/kiln-api-error.js';
import type { CallSignal } from './call-signal.js';

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not found',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/**
 * The problem document of an error answer: the body when it is one, otherwise one built from
 * the status (a proxy's HTML page, an empty body).
 */
export function problemFromBody(
  status: number,
  statusMessage: string | undefined,
  body: string,
): ProblemDocument {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (isProblem(parsed))
      return { ...parsed, status: typeof parsed.status === 'number' ? parsed.status : status };
  } catch {
    // not JSON: fall through to a document built from the status line
  }
  const title = statusMessage || STATUS_TEXT[status] || `HTTP ${status}`;
  return { type: 'about:blank', title, status, detail: `${status} ${title}` };
}

function isProblem(value: unknown): value is ProblemDocument {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { title?: unknown }).title === 'string'
  );
}

/**
 * Turns whatever a request threw into the SDK's error: the caller's abort reason stays as it is,
 * a spent timeout becomes `REQUEST_TIMEOUT`, an HTTP error carries the server's problem document,
 * and a connection failure becomes `CONNECTION_FAILED`.
 */
export function toKilnApiError(error: unknown, request: RequestInfo, signal: CallSignal): unknown {
  if (signal.caller?.aborted) return signal.caller.reason;
  if (signal.timer?.aborted) {
    return KilnApiError.client(
      ClientErrorCode.RequestTimeout,
      'Request timeout',
      `${request.method} ${request.url} took longer than ${signal.timeoutMs} ms`,
      504,
      { request, cause: error, retryable: true },
    );
  }
  if (error instanceof KilnApiError) return error;
  if (isGotHttpError(error)) {
    const body = error.response.body;
    const text =
      typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
    return new KilnApiError(
      problemFromBody(error.response.statusCode, error.response.statusMessage, text),
      { request, cause: error },
    );
  }
  if (isGotRequestError(error) && error.name === 'UploadError') {
    return KilnApiError.client(
      ClientErrorCode.LocalFile,
      'Upload failed',
      `reading an input file failed: ${error.message}`,
      400,
      { request, cause: error },
    );
  }
  if (isGotRequestError(error)) {
    const reason = error.code === 'ETIMEDOUT' ? 'timed out' : (error.code ?? error.message);
    return KilnApiError.client(
      ClientErrorCode.ConnectionFailed,
      'Connection failed',
      `cannot reach ${origin(request.url)} (${reason})`,
      502,
      { request, cause: error, retryable: true },
    );
  }
  return KilnApiError.client(
    ErrorCode.Internal,
    'Client error',
    error instanceof Error ? error.message : String(error),
    500,
    { request, cause: error },
  );
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
