import { describe, expect, it } from 'vitest';
import { summarizeTimings } from './timing.js';

describe('summarizeTimings', () => {
  it('gives mean and percentiles', () => {
    const s = summarizeTimings(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s).toEqual({ runs: 100, meanMs: 50.5, p50Ms: 51, p95Ms: 96 });
  });

  it('is all zeros for no runs', () => {
    expect(summarizeTimings([])).toEqual({ runs: 0, meanMs: 0, p50Ms: 0, p95Ms: 0 });
  });
});
