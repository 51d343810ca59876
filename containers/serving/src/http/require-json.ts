import { ErrorCode, KilnError } from '@kiln/api';
import type { Request } from 'express';

/** The parsed JSON body, or a 415 when the request did not send JSON. */
export function requireJson(req: Request): unknown {
  if (!req.is('application/json')) {
    throw new KilnError(ErrorCode.UnsupportedMediaType, 'send the body as application/json', {
      status: 415,
    });
  }
  return req.body as unknown;
}

/** The body as an object whose fields are all in `allowed` (a 400 otherwise). */
export function requireObject(req: Request, allowed: readonly string[]): Record<string, unknown> {
  const body = requireJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new KilnError(ErrorCode.BadRequest, 'the body must be a JSON object', { status: 400 });
  }
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) {
      throw new KilnError(ErrorCode.UnknownField, `'${field}' is not a field of this request`, {
        status: 400,
        errors: [{ path: `/${field}`, message: 'is not allowed' }],
      });
    }
  }
  return body as Record<string, unknown>;
}
