import { KilnError } from '@kiln/api';
import { setTimeout as sleep } from 'node:timers/promises';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Calls `operation` until it succeeds, retrying errors marked `retryable` (a container that
 * does not answer or answers 5xx: it may be restarting) with growing delays for up to `graceMs`
 * after the first failure. Other errors, and an abort of `signal`, end it at once.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  graceMs: number,
  signal: AbortSignal,
): Promise<T> {
  let firstFailure: number | null = null;
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      signal.throwIfAborted();
      if (!(error instanceof KilnError) || !error.retryable) throw error;
      firstFailure ??= Date.now();
      if (Date.now() - firstFailure >= graceMs) throw error;
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
