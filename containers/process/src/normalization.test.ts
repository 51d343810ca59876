import { describe, expect, it } from 'vitest';
import { normalizationFor, pixelStatistics } from './normalization.js';

describe('normalization', () => {
  const pixels = Uint8Array.of(0, 255, 0, 255);

  it('computes mean and std of pixel/255', () => {
    expect(pixelStatistics(pixels)).toEqual({ mean: 0.5, std: 0.5 });
  });

  it('maps pixels to the wanted range', () => {
    const unit = normalizationFor('unit', pixels);
    expect(255 * unit.scale + unit.offset).toBeCloseTo(1);
    const standard = normalizationFor('standard', pixels);
    expect(0 * standard.scale + standard.offset).toBeCloseTo(-1);
    expect(255 * standard.scale + standard.offset).toBeCloseTo(1);
    expect(normalizationFor('none', pixels)).toEqual({ method: 'none', scale: 1, offset: 0 });
  });

  it('does not divide by zero for blank images', () => {
    const n = normalizationFor('standard', new Uint8Array(4));
    expect(Number.isFinite(n.scale) && Number.isFinite(n.offset)).toBe(true);
  });
});
