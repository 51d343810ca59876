import { InvalidArgumentError } from 'commander';

/** `--timeout <seconds>` → milliseconds. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('must be a positive number of seconds');
  return Math.round(seconds * 1000);
}

/** A non-negative integer (`--offset`). */
export function parseOffset(value: string): number {
  const offset = Number(value);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new InvalidArgumentError('must be a non-negative integer');
  return offset;
}
