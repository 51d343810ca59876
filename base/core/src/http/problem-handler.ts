import {
  ErrorCode,
  KilnError,
  PROBLEM_CONTENT_TYPE,
  toProblemDocument,
  type Logger,
  type ProblemDocument,
} from '@kiln/api';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

/** Options of {@link problemHandler} and {@link sendProblem}. */
export interface ProblemOptions {
  /**
   * Adds members to every problem document, for a protocol that wants its own beside RFC 9457's
   * (the serving container adds the Open Inference Protocol's `error`).
   */
  extend?: (problem: ProblemDocument) => Record<string, unknown>;
}

/** Writes an error as an RFC 9457 problem document (never HTML, never a stack trace). */
export function sendProblem(
  res: Response,
  error: unknown,
  instance?: string,
  options: ProblemOptions = {},
): void {
  const base = toProblemDocument(error, instance);
  const problem = options.extend ? { ...base, ...options.extend(base) } : base;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

const MULTER_413 = new Set(['LIMIT_FILE_SIZE', 'LIMIT_FIELD_VALUE']);

function isMulterError(error: unknown): error is { code: string; field?: string; message: string } {
  return (
    error instanceof Error &&
    error.name === 'MulterError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/** Turns errors thrown by express's parsers and multer into KilnErrors with the right status. */
function normalizeError(error: unknown): unknown {
  if (error instanceof KilnError) return error;
  // Duck-typed rather than instanceof: importing multer here would load it into every module
  // that imports @kiln/core, the mule included.
  if (isMulterError(error)) {
    if (MULTER_413.has(error.code)) {
      return new KilnError(
        ErrorCode.PayloadTooLarge,
        `'${error.field ?? 'a part'}' is larger than this container accepts`,
        { status: 413 },
      );
    }
    if (error.code === 'LIMIT_UNEXPECTED_FILE') {
      return new KilnError(
        ErrorCode.UnknownField,
        `'${error.field ?? ''}' is not an input file of this tool`,
        { status: 400 },
      );
    }
    return new KilnError(
      ErrorCode.MalformedMultipart,
      `the multipart body was refused: ${error.message}`,
      { status: 400 },
    );
  }
  const type = (error as { type?: unknown }).type;
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new KilnError(ErrorCode.UnsupportedMediaType, (error as Error).message, {
      status: 415,
    });
  }
  if (type === 'entity.too.large') {
    return new KilnError(ErrorCode.PayloadTooLarge, 'the JSON body is larger than 1 MiB', {
      status: 413,
    });
  }
  if (type === 'entity.parse.failed') {
    return new KilnError(ErrorCode.MalformedJson, 'the body is not valid JSON', { status: 400 });
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new KilnError(ErrorCode.BadRequest, (error as Error).message || 'bad request', {
      status,
    });
  }
  // busboy's own parse errors carry no code: a torn or malformed multipart body.
  if (
    error instanceof Error &&
    /multipart|boundary|Unexpected end of form|part header/i.test(error.message)
  ) {
    return new KilnError(
      ErrorCode.MalformedMultipart,
      `the multipart body is malformed: ${error.message}`,
      { status: 400 },
    );
  }
  return error;
}

/**
 * The one express error middleware: logs 5xx at error and 4xx at info, answers with a problem
 * document. 5xx details are generic, since raw messages leak internals.
 */
export function problemHandler(logger: Logger, options: ProblemOptions = {}): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const normalized = normalizeError(error);
    const status = normalized instanceof KilnError ? normalized.status : 500;
    const meta = {
      method: req.method,
      url: req.originalUrl,
      status,
      error: String((normalized as Error)?.message ?? normalized),
    };
    if (status >= 500)
      logger.error('request failed', { ...meta, stack: (normalized as Error)?.stack });
    else logger.info('request refused', meta);
    sendProblem(res, normalized, req.originalUrl, options);
  };
}

/** A 404 problem for any route nobody serves. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => {
    next(
      new KilnError(ErrorCode.RouteNotFound, `no route for ${req.method} ${req.path}`, {
        status: 404,
      }),
    );
  };
}
