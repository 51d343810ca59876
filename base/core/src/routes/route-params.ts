import { ErrorCode, KilnError, isValidName } from '@kiln/api';
import type { Request } from 'express';
import { checkRelativeSegments } from '../util/safe-path.js';

/** A name from the URL, checked before any file is touched. */
export function nameParam(req: Request, key = 'name'): string {
  const value = req.params[key];
  if (!isValidName(value)) {
    throw new KilnError(ErrorCode.InvalidName, `'${String(value)}' is not a valid name`, {
      status: 400,
    });
  }
  return value;
}

/** The `*path` wildcard as safe segments; a trailing slash names the same folder. */
export function pathParam(req: Request): string[] {
  const raw = (req.params as Record<string, unknown>)['path'];
  const segments = (Array.isArray(raw) ? raw : [raw]).map(String);
  while (segments.length > 1 && segments.at(-1) === '') segments.pop();
  return checkRelativeSegments(segments);
}
