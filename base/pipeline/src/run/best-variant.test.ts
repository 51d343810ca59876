import type { VariantResult } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { bestVariant } from './best-variant.js';

const result = (
  name: string,
  status: VariantResult['status'],
  figures: Record<string, unknown> | null,
): VariantResult => ({
  name,
  parameters: {},
  status,
  error: null,
  figures,
  steps: {},
  artifacts: {},
  links: {},
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
});

describe('bestVariant', () => {
  const results = [
    result('a', 'completed', { accuracy: 0.8, loss: 0.5 }),
    result('b', 'completed', { accuracy: 0.9, loss: 0.7 }),
    result('c', 'failed', null),
    result('d', 'in-progress', null),
    result('e', 'completed', { accuracy: 'high', loss: Number.NaN }),
  ];

  it('takes the highest value for max and the lowest for min', () => {
    expect(bestVariant(results, 'accuracy', 'max')).toBe('b');
    expect(bestVariant(results, 'loss', 'min')).toBe('a');
  });

  it('ignores variants that did not complete or did not report a finite number', () => {
    expect(bestVariant(results, 'f1', 'max')).toBeNull();
    expect(bestVariant([result('c', 'failed', { accuracy: 1 })], 'accuracy', 'max')).toBeNull();
  });

  it('keeps the first of equal values', () => {
    const tie = [result('x', 'completed', { m: 1 }), result('y', 'completed', { m: 1 })];
    expect(bestVariant(tie, 'm', 'max')).toBe('x');
    expect(bestVariant(tie, 'm', 'min')).toBe('x');
  });
});
