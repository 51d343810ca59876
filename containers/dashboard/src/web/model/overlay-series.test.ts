import { describe, expect, it } from 'vitest';
import { alignSeries } from './overlay-series.js';

const points = (...pairs: [number, number][]) =>
  pairs.map(([step, value]) => ({ step, value, time: '2026-01-01T00:00:00.000Z' }));

describe('alignSeries', () => {
  it('puts every series on the union of their steps, null where one has no point', () => {
    expect(alignSeries([points([1, 0.5], [2, 0.4], [3, 0.3]), points([2, 0.6], [1, 0.7])])).toEqual(
      [
        [1, 2, 3],
        [0.5, 0.4, 0.3],
        [0.7, 0.6, null],
      ],
    );
    expect(alignSeries([])).toEqual([[]]);
  });
});
