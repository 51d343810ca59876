import { ErrorCode, KilnError, isValidName } from '@kiln/api';
import type { Request } from 'express';

/** A model (or other) name from the URL, checked before anything is looked up. */
export function nameParam(req: Request, key = 'model'): string {
  const value = req.params[key];
  if (!isValidName(value)) {
    throw new KilnError(ErrorCode.InvalidName, `'${String(value)}' is not a valid name`, {
      status: 400,
    });
  }
  return value;
}

/** A version number from the URL: a positive integer. */
export function versionParam(req: Request, key = 'version'): number {
  const text = String(req.params[key]);
  const version = Number(text);
  if (!/^[1-9]\d{0,8}$/.test(text)) {
    throw new KilnError(ErrorCode.BadRequest, `'${text}' is not a version number (1, 2, …)`, {
      status: 400,
    });
  }
  return version;
}

function single(req: Request, key: string): string | undefined {
  const value = req.query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidQuery(`'${key}' must be given once`);
  return value;
}

function invalidQuery(detail: string): KilnError {
  return new KilnError(ErrorCode.InvalidQuery, detail, { status: 400 });
}

/** `?wait=N`: seconds, fractions allowed, 0 to 60 (as for artifacts). */
export function waitQuery(req: Request): number {
  const text = single(req, 'wait');
  if (text === undefined) return 0;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 60) {
    throw invalidQuery(`'wait' must be a number of seconds from 0 to 60, got '${text}'`);
  }
  return seconds;
}

/** A positive integer query value up to `max`, or `fallback`. */
export function integerQuery(req: Request, key: string, fallback: number, max: number): number {
  const text = single(req, key);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw invalidQuery(`'${key}' must be an integer from 1 to ${max}, got '${text}'`);
  }
  return Number(text);
}

/** A name query value (`?model=`), or undefined. */
export function nameQuery(req: Request, key: string): string | undefined {
  const text = single(req, key);
  if (text !== undefined && !isValidName(text)) throw invalidQuery(`'${key}' is not a valid name`);
  return text;
}

/** A free string query value, or undefined. */
export function stringQuery(req: Request, key: string): string | undefined {
  return single(req, key);
}

/** `?version=N` on a route that otherwise asks the champion. */
export function versionQuery(req: Request): number | undefined {
  const text = single(req, 'version');
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(text))
    throw invalidQuery(`'version' must be a version number, got '${text}'`);
  return Number(text);
}
