import { describe, expect, it } from 'vitest';
import { learningRateAt, type LearningRateOptions } from './learning-rate-schedule.js';

describe('learningRateAt', () => {
  const exponential: LearningRateOptions = {
    schedule: 'exponential',
    first: 1e-3,
    last: 1e-5,
    epochs: 5,
  };

  it('decays exponentially, epoch by epoch, from the first to the last rate', () => {
    expect(learningRateAt(exponential, 0)).toBeCloseTo(1e-3);
    expect(learningRateAt(exponential, 0, 0.9)).toBeCloseTo(1e-3);
    expect(learningRateAt(exponential, 2)).toBeCloseTo(1e-4);
    expect(learningRateAt(exponential, 4)).toBeCloseTo(1e-5);
  });

  it('is constant when the last rate is the first, or with one epoch', () => {
    expect(learningRateAt({ ...exponential, last: 0.01, first: 0.01 }, 3)).toBe(0.01);
    expect(learningRateAt({ ...exponential, epochs: 1 }, 0, 0.5)).toBe(1e-3);
  });

  it('follows half a cosine step by step, from the first rate to the last', () => {
    const cosine: LearningRateOptions = { ...exponential, schedule: 'cosine', epochs: 4 };
    expect(learningRateAt(cosine, 0)).toBeCloseTo(1e-3);
    expect(learningRateAt(cosine, 2)).toBeCloseTo((1e-3 + 1e-5) / 2);
    expect(learningRateAt(cosine, 1, 0.5)).toBeGreaterThan(learningRateAt(cosine, 2));
    expect(learningRateAt(cosine, 3, 0.999)).toBeCloseTo(1e-5);
  });

  it('warms up linearly from a tenth of the first rate, then starts the schedule', () => {
    const warm: LearningRateOptions = {
      schedule: 'cosine',
      first: 1e-3,
      last: 0,
      epochs: 5,
      warmupEpochs: 1,
    };
    expect(learningRateAt(warm, 0)).toBeCloseTo(1e-4);
    expect(learningRateAt(warm, 0, 0.5)).toBeCloseTo(5.5e-4);
    expect(learningRateAt(warm, 1)).toBeCloseTo(1e-3);
    expect(learningRateAt(warm, 3)).toBeCloseTo(5e-4);
    const exp = { ...warm, schedule: 'exponential' as const, last: 1e-5, epochs: 4 };
    expect(learningRateAt(exp, 1)).toBeCloseTo(1e-3);
    expect(learningRateAt(exp, 3)).toBeCloseTo(1e-5);
  });
});
