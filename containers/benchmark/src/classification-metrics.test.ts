import { describe, expect, it } from 'vitest';
import { classificationMetrics } from './classification-metrics.js';

describe('classificationMetrics', () => {
  it('computes accuracy, the confusion matrix and per-class figures', () => {
    // truth:      a a a b b c
    // predicted:  a a b b c c
    const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(m.perClass[0]).toMatchObject({ class: 'a', support: 3, precision: 1, recall: 2 / 3 });
    expect(m.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(m.perClass[2]).toMatchObject({ precision: 0.5, recall: 1 });
    expect(m.macroRecall).toBeCloseTo((2 / 3 + 0.5 + 1) / 3);
  });

  it('gives 0, not NaN, for a class never predicted or absent', () => {
    const m = classificationMetrics([0, 0], [0, 0], ['a', 'b']);
    expect(m.perClass[1]).toMatchObject({ support: 0, precision: 0, recall: 0, f1: 0 });
  });
});
