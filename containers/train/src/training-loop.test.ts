import { describe, expect, it } from 'vitest';
import { learningRateAt } from './training-loop.js';

describe('learningRateAt', () => {
  it('decays exponentially from the first to the last rate', () => {
    expect(learningRateAt(0, 5, 1e-3, 1e-5)).toBeCloseTo(1e-3);
    expect(learningRateAt(2, 5, 1e-3, 1e-5)).toBeCloseTo(1e-4);
    expect(learningRateAt(4, 5, 1e-3, 1e-5)).toBeCloseTo(1e-5);
  });

  it('is constant without a last rate or with one epoch', () => {
    expect(learningRateAt(3, 5, 0.01)).toBe(0.01);
    expect(learningRateAt(0, 1, 0.01, 0.001)).toBe(0.01);
  });
});
