import { seededRandom } from '@kiln/fashion-mnist';
import { describe, expect, it } from 'vitest';
import { randomTransform, transformImage } from './augment.js';

// A 3x3 image:  1 2 3 / 4 5 6 / 7 8 9
const image = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);

function apply(flip: boolean, dx: number, dy: number): number[] {
  const out = new Uint8Array(9);
  transformImage(image, out, 3, 3, { flip, dx, dy });
  return [...out];
}

describe('transformImage', () => {
  it('is the identity without flip or shift', () => {
    expect(apply(false, 0, 0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('flips left-right', () => {
    expect(apply(true, 0, 0)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
  });

  it('shifts right and down, filling with 0', () => {
    expect(apply(false, 1, 0)).toEqual([0, 1, 2, 0, 4, 5, 0, 7, 8]);
    expect(apply(false, 0, 1)).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
    expect(apply(false, -1, -1)).toEqual([5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });

  it('flips then shifts', () => {
    expect(apply(true, 1, 0)).toEqual([0, 3, 2, 0, 6, 5, 0, 9, 8]);
  });
});

describe('randomTransform', () => {
  it('stays within the bounds and repeats for a seed', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const t = randomTransform(a, true, 2);
      expect(Math.abs(t.dx) <= 2 && Math.abs(t.dy) <= 2).toBe(true);
      expect(randomTransform(b, true, 2)).toEqual(t);
    }
    expect(randomTransform(a, false, 0)).toEqual({ flip: false, dx: 0, dy: 0 });
  });
});
