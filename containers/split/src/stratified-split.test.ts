import { describe, expect, it } from 'vitest';
import { splitIndices } from './stratified-split.js';

const labels = Uint8Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));

describe('splitIndices', () => {
  it('keeps class proportions and covers every row once', () => {
    const split = splitIndices({
      labels,
      classCount: 2,
      validationFraction: 0.1,
      seed: 1,
      stratify: true,
    });
    expect(split.validationPerClass).toEqual([8, 2]);
    expect(split.train.length + split.validation.length).toBe(100);
    const all = new Set([...split.train, ...split.validation]);
    expect(all.size).toBe(100);
  });

  it('is the same for a seed and differs between seeds', () => {
    const options = { labels, classCount: 2, validationFraction: 0.2, stratify: true };
    const a = splitIndices({ ...options, seed: 5 });
    const b = splitIndices({ ...options, seed: 5 });
    const c = splitIndices({ ...options, seed: 6 });
    expect([...a.validation]).toEqual([...b.validation]);
    expect([...a.validation]).not.toEqual([...c.validation]);
  });

  it('keeps augmented copies on their original side and validation to originals', () => {
    const base = Uint8Array.of(0, 0, 1, 1);
    const augmented = Uint8Array.from([...base, ...base]);
    const origins = Uint32Array.of(0, 1, 2, 3, 0, 1, 2, 3);
    const split = splitIndices({
      labels: augmented,
      origins,
      classCount: 2,
      validationFraction: 0.5,
      seed: 2,
      stratify: true,
    });
    expect(split.validation.length).toBe(2);
    for (const row of split.validation) expect(row < 4).toBe(true);
    expect(split.train.length).toBe(4);
    for (const row of split.train) expect([...split.validation]).not.toContain(origins[row]);
  });

  it('refuses an empty side or an empty set', () => {
    const tiny = Uint8Array.of(0, 1, 2);
    expect(() =>
      splitIndices({
        labels: tiny,
        classCount: 3,
        validationFraction: 0.1,
        seed: 1,
        stratify: true,
      }),
    ).toThrow(/the validation set would be empty \(0.1 of 3 images, per class rounds to 0\)/);
    expect(() =>
      splitIndices({
        labels: tiny,
        classCount: 3,
        validationFraction: 0.9,
        seed: 1,
        stratify: true,
      }),
    ).toThrow(/the training set would be empty/);
    expect(() =>
      splitIndices({
        labels: new Uint8Array(0),
        classCount: 3,
        validationFraction: 0.5,
        seed: 1,
        stratify: false,
      }),
    ).toThrow(/the set to split is empty/);
  });
});
