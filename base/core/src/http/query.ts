import { ErrorCode, KilnError } from '@kiln/api';
import type { Request } from 'express';

function single(req: Request, key: string): string | undefined {
  const value = req.query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`'${key}' must be given once`);
  return value;
}

function invalid(detail: string): KilnError {
  return new KilnError(ErrorCode.InvalidQuery, detail, { status: 400 });
}

/** `?wait=N`: seconds, fractions allowed, 0 to 60. */
export function waitSeconds(req: Request): number {
  const text = single(req, 'wait');
  if (text === undefined) return 0;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 60) {
    throw invalid(`'wait' must be a number of seconds from 0 to 60, got '${text}'`);
  }
  return seconds;
}

/** `?offset=N`: a byte offset. */
export function byteOffset(req: Request): number {
  const text = single(req, 'offset');
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalid(`'offset' must be a non-negative integer, got '${text}'`);
  }
  return Number(text);
}

/** A boolean flag such as `?follow=1`. */
export function flag(req: Request, key: string): boolean {
  const text = single(req, key);
  if (text === undefined) return false;
  if (['1', 'true', 'yes', ''].includes(text)) return true;
  if (['0', 'false', 'no'].includes(text)) return false;
  throw invalid(`'${key}' must be 1 or 0, got '${text}'`);
}

/** A query value that must be one of `allowed`. */
export function oneOf<T extends string>(
  req: Request,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const text = single(req, key);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw invalid(`'${key}' must be one of ${allowed.join(', ')}, got '${text}'`);
  }
  return text as T;
}
