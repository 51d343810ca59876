import { describe, expect, it } from 'vitest';
import { shade } from './kiln-confusion-matrix.js';

function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('shade', () => {
  it('keeps every cell’s text at WCAG AA contrast or better', () => {
    for (let i = 0; i <= 100; i++) {
      const { background, color } = shade(i / 100);
      const bg = luminance(background);
      const fg = color === '#ffffff' ? 1 : 0;
      const ratio = (Math.max(bg, fg) + 0.05) / (Math.min(bg, fg) + 0.05);
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('goes from light to dark', () => {
    expect(shade(0).color).toBe('#000000');
    expect(shade(1).color).toBe('#ffffff');
  });
});
