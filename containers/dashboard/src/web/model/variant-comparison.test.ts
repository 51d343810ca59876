import type { MetricInfo, RunVariants, StepInfo, VariantResult } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import {
  comparedFigures,
  curvesOnly,
  formatParameters,
  overlaySpecs,
  variantStep,
} from './variant-comparison.js';

const result = (
  name: string,
  status: VariantResult['status'],
  figures: Record<string, unknown> | null,
): VariantResult => ({
  name,
  parameters: {},
  status,
  error: status === 'failed' ? 'it broke' : null,
  figures,
  steps: { train: `train-${name}`, benchmark: `benchmark-${name}` },
  artifacts: {},
  links: {},
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
});

const section = (results: VariantResult[]): RunVariants => ({
  metric: 'accuracy',
  goal: 'max',
  best: null,
  failed: [],
  results,
});

const step = (name: string, container: string): StepInfo => ({
  step: name,
  container,
  artifact: `run-${name}`,
  url: `http://${container}:8080/artifacts/run-${name}/`,
  status: 'completed',
  cached: false,
  startedAt: null,
  finishedAt: null,
});

describe('comparedFigures', () => {
  it('puts the metric first and keeps only numbers that differ between completed variants', () => {
    const figures = comparedFigures(
      section([
        result('a', 'completed', { count: 50, loss: 0.5, accuracy: 0.8, backend: 'cpu' }),
        result('b', 'completed', { count: 50, loss: 0.4, accuracy: 0.9, backend: 'cpu' }),
        result('c', 'failed', null),
      ]),
    );
    expect(figures).toEqual(['accuracy', 'loss']);
  });

  it('shows every number while fewer than two variants completed', () => {
    const figures = comparedFigures(
      section([
        result('a', 'completed', { count: 50, accuracy: 0.8 }),
        result('b', 'in-progress', null),
      ]),
    );
    expect(figures).toEqual(['accuracy', 'count']);
    expect(comparedFigures(section([result('a', 'in-progress', null)]))).toEqual(['accuracy']);
  });
});

describe('formatParameters', () => {
  it('writes parameters as --param takes them', () => {
    expect(formatParameters({ hiddenUnits: [64], dropout: 0.1, architecture: 'conv' })).toBe(
      'hiddenUnits=[64] dropout=0.1 architecture=conv',
    );
    expect(formatParameters({})).toBe('the run’s own');
  });
});

describe('overlaySpecs', () => {
  const results = [
    result('a', 'completed', {}),
    result('b', 'completed', {}),
    result('c', 'failed', null),
  ];
  const steps = ['a', 'b', 'c'].flatMap((v) => [
    step(`train-${v}`, 'train'),
    step(`benchmark-${v}`, 'benchmark'),
  ]);
  const series = (...names: string[]): MetricInfo[] =>
    names.map((name) => ({ name, kind: 'series', views: [], last: null }));

  it('draws one chart per series of a step, loss and accuracy first, a line per variant that has it', () => {
    const listings = new Map<string, MetricInfo[]>([
      ['train-a', series('learning_rate', 'accuracy', 'loss')],
      ['train-b', series('learning_rate', 'accuracy', 'loss')],
      ['train-c', []],
      ['benchmark-a', [{ name: 'summary', kind: 'report', views: [], last: null }]],
    ]);
    const specs = overlaySpecs(section(results), steps, listings);
    expect(specs.map((s) => [s.step, s.metric, s.lines.map((l) => l.label)])).toEqual([
      ['train', 'loss', ['a', 'b']],
      ['train', 'accuracy', ['a', 'b']],
      ['train', 'learning_rate', ['a', 'b']],
    ]);
    expect(specs[0]!.lines[1]).toEqual({ label: 'b', container: 'train', artifact: 'run-train-b' });
  });

  it('finds a variant step among the run’s steps by its name in the run', () => {
    expect(variantStep(results[1]!, 'benchmark', steps)?.artifact).toBe('run-benchmark-b');
    expect(variantStep(results[1]!, 'nothing', steps)).toBeUndefined();
  });
});

describe('curvesOnly', () => {
  const points = (n: number) =>
    Array.from({ length: n }, (_, step) => ({ step, value: step, time: '2026-01-01T00:00:00Z' }));

  it('keeps the series with two points or more in some line', () => {
    const charts = [
      {
        step: 'train',
        metric: 'loss',
        lines: [
          { label: 'a', points: points(1) },
          { label: 'b', points: points(3) },
        ],
      },
      {
        step: 'benchmark',
        metric: 'accuracy',
        lines: [
          { label: 'a', points: points(1) },
          { label: 'b', points: points(1) },
        ],
      },
    ];
    expect(curvesOnly(charts).map((c) => c.metric)).toEqual(['loss']);
  });
});
