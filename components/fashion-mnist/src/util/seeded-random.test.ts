import { describe, expect, it } from 'vitest';
import { seededRandom, shuffleInPlace } from './seeded-random.js';

describe('seededRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('shuffles to a permutation', () => {
    const array = Uint32Array.from({ length: 100 }, (_, i) => i);
    shuffleInPlace(array, seededRandom(1));
    expect([...array].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...array]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
