import type { ResolvedKilnOptions } from '../kiln-options.js';
import { backoffDelay, sleep } from './backoff.js';

/** Options of {@link retryWithGrace}. */
export interface RetryGraceOptions {
  /** How long, from the first failure, a retryable failure is tried again. */
  graceMs: number;
  /** Stops the retries; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The delays between tries: doubling from `retryDelay`, capped at `maxRetryDelay`. */
  backoff?: Pick<ResolvedKilnOptions, 'retryDelay' | 'maxRetryDelay'>;
}

const DEFAULT_BACKOFF = { retryDelay: 250, maxRetryDelay: 5_000 };

/**
 * A retry budget for a container that may be restarting: calls `operation` until it succeeds,
 * trying it again after each retryable error (`retryable: true`: no connection, 502, 503, a
 * timeout) with doubling delays, for up to `graceMs` after the first failure. Any other error,
 * and an abort of `signal`, end it at once. The client's own retries (`retries`) happen inside
 * each try; this is for work that must outlast a restart, such as a pipeline's step.
 *
 * @example
 * ```ts
 * const summary = await retryWithGrace(() => tool.status(name), { graceMs: 120_000, signal });
 * ```
 */
export async function retryWithGrace<T>(
  operation: () => Promise<T>,
  options: RetryGraceOptions,
): Promise<T> {
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      options.signal?.throwIfAborted();
      if (!isRetryable(error)) throw error;
      firstFailure ??= Date.now();
      if (Date.now() - firstFailure >= options.graceMs) throw error;
      await sleep(backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF), options.signal);
    }
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof Error && (error as { retryable?: unknown }).retryable === true;
}
