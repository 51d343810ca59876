import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatPercent, formatTime } from './format.js';

describe('format', () => {
  it('formats times and missing times', () => {
    expect(formatTime(null)).toBe('–');
    expect(formatTime('2026-01-02T03:04:05.000Z')).toMatch(/^2026-01-0[12] \d\d:04:05$/);
  });

  it('formats durations', () => {
    const start = '2026-01-01T00:00:00.000Z';
    expect(formatDuration(start, '2026-01-01T00:00:01.250Z')).toBe('1.3 s');
    expect(formatDuration(start, '2026-01-01T00:03:04.000Z')).toBe('3 min 4 s');
    expect(formatDuration(start, '2026-01-01T02:05:00.000Z')).toBe('2 h 5 min');
    expect(formatDuration(start, null, Date.parse(start) + 500)).toBe('0.5 s');
    expect(formatDuration(null, null)).toBe('–');
  });

  it('formats sizes, numbers and fractions', () => {
    expect(formatBytes(532)).toBe('532 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MiB');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(0.00001)).toBe('1.000e-5');
    expect(formatPercent(0.404)).toBe('40 %');
    expect(formatPercent(2)).toBe('100 %');
  });
});
