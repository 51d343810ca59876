import { setTimeout as delay } from 'node:timers/promises';
import type { ResolvedKilnOptions } from '../kiln-options.js';

/** The delay before retry number `attempt` (1-based): doubling from `retryDelay`, capped. */
export function backoffDelay(
  attempt: number,
  options: Pick<ResolvedKilnOptions, 'retryDelay' | 'maxRetryDelay'>,
): number {
  return Math.min(options.retryDelay * 2 ** Math.max(0, attempt - 1), options.maxRetryDelay);
}

/** Sleeps `ms`; if the signal fires first, rejects with the signal's own reason. */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}
