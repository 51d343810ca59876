import type { CallOptions } from '../kiln-options.js';

/**
 * The call options for each request of a long iteration (`followLog`, `events`): the caller's
 * signal, and what is left of the iteration's `timeout`, so that the whole iteration is bounded.
 */
export function streamDeadline(options: CallOptions): () => CallOptions {
  const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
  return () => ({
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deadline === undefined ? {} : { timeout: Math.max(1, deadline - Date.now()) }),
  });
}
