/** Mean and percentiles of a list of durations in milliseconds. */
export interface TimingSummary {
  runs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
}

/** Summarises durations (ms); zeros for an empty list. */
export function summarizeTimings(durations: readonly number[]): TimingSummary {
  if (durations.length === 0) return { runs: 0, meanMs: 0, p50Ms: 0, p95Ms: 0 };
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { runs: sorted.length, meanMs: mean, p50Ms: at(0.5), p95Ms: at(0.95) };
}
