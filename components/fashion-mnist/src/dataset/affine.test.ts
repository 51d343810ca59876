import { describe, expect, it } from 'vitest';
import { affineBetween, applyAffine, sameAffine } from './affine.js';

describe('affine maps', () => {
  it('maps stored values to the wanted normalisation', () => {
    const stored = { scale: 1 / 255, offset: 0 };
    const wanted = { scale: 1 / (255 * 0.35), offset: -0.28 / 0.35 };
    const map = affineBetween(stored, wanted);
    const pixel = 200;
    const out = applyAffine([pixel * stored.scale], map, new Float32Array(1));
    expect(out[0]).toBeCloseTo(pixel * wanted.scale + wanted.offset, 5);
  });

  it('is the identity between equal maps', () => {
    const a = { scale: 0.5, offset: 3 };
    expect(sameAffine(affineBetween(a, a), { scale: 1, offset: 0 })).toBe(true);
    expect(sameAffine(a, { scale: 0.5, offset: 3.1 })).toBe(false);
  });
});
