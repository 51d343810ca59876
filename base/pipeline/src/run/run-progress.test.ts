import type { ArtifactSummary } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { RunProgress } from './run-progress.js';

const summary = (
  status: ArtifactSummary['status'],
  progress = 0,
  message: string | null = null,
): ArtifactSummary => ({
  name: 'a',
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  progress,
  message,
  error: null,
  attempt: 1,
  cached: false,
  cachedFrom: null,
});

describe('RunProgress', () => {
  it('counts a finished step as one and a running step as its own progress', () => {
    const progress = new RunProgress(4);
    progress.update(0, 'import', summary('completed'));
    expect(progress.update(1, 'process', summary('in-progress', 0.5, 'half'))).toEqual({
      fraction: 1.5 / 4,
      message: 'process: half',
    });
  });

  it('sums steps that run at once and names them in the order they started', () => {
    const progress = new RunProgress(4);
    progress.update(1, 'train-b', summary('queued'));
    const report = progress.update(0, 'train-a', summary('in-progress', 0.5, 'epoch 1 of 2'));
    expect(report).toEqual({
      fraction: 0.5 / 4,
      message: 'train-a: epoch 1 of 2 · train-b: queued',
    });
    progress.update(1, 'train-b', summary('in-progress', 0.5, 'epoch 1 of 2'));
    expect(progress.update(0, 'train-a', summary('completed')).message).toBe(
      'train-b: epoch 1 of 2',
    );
  });

  it('names three running steps and counts the rest', () => {
    const progress = new RunProgress(10);
    for (let i = 0; i < 5; i += 1) progress.update(i, `s${i}`, summary('in-progress', 0, 'busy'));
    expect(progress.update(0, 's0', summary('in-progress', 0.1, 'busy')).message).toBe(
      's0: busy · s1: busy · s2: busy (+2 more)',
    );
  });

  it('keeps a note in every message once it is made', () => {
    const progress = new RunProgress(4);
    progress.update(0, 'train-a', summary('in-progress', 0.5, 'epoch 1'));
    expect(progress.note('variant b failed')).toEqual({
      fraction: 0.5 / 4,
      message: 'train-a: epoch 1 (variant b failed)',
    });
    expect(progress.update(0, 'train-a', summary('completed')).message).toBe(
      'train-a: completed (variant b failed)',
    );
  });

  it('never moves back when the run takes more steps than expected, and stays below 1', () => {
    const progress = new RunProgress(2);
    progress.update(0, 'a', summary('completed'));
    const before = progress.update(1, 'b', summary('in-progress', 0.9)).fraction;
    expect(before).toBeCloseTo(0.95, 5);
    const after = progress.update(2, 'c', summary('queued')).fraction;
    expect(after).toBe(before);
    progress.update(1, 'b', summary('completed'));
    expect(progress.update(2, 'c', summary('completed')).fraction).toBe(0.99);
  });
});
