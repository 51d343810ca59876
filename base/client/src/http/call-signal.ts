import type { CallOptions } from '../kiln-options.js';

/** The signal one call runs under: the caller's own, bounded by the call's timeout. */
export interface CallSignal {
  signal: AbortSignal | undefined;
  /** The caller's signal, whose reason is rethrown as-is when it fires. */
  caller: AbortSignal | undefined;
  /** Fires when the call ran out of time. */
  timer: AbortSignal | undefined;
  /** Milliseconds the call was given (for messages). */
  timeoutMs: number | undefined;
}

/** Combines `call.signal` with `AbortSignal.timeout(timeout)`; `timeout: 0` or Infinity means none. */
export function callSignal(
  call: CallOptions | undefined,
  defaultTimeout: number | undefined,
): CallSignal {
  const caller = call?.signal;
  const timeoutMs = call?.timeout ?? defaultTimeout;
  const timer =
    timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? AbortSignal.timeout(timeoutMs)
      : undefined;
  const signals = [caller, timer].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  return { signal, caller, timer, timeoutMs };
}
