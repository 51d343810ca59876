import { describe, expect, it } from 'vitest';
import { ArtifactIndex, type ArtifactRow } from './artifact-index.js';

function row(
  container: string,
  name: string,
  second: number,
  extra: Partial<ArtifactRow> = {},
): ArtifactRow {
  return {
    container,
    name,
    status: 'completed',
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    startedAt: null,
    finishedAt: null,
    progress: 1,
    message: null,
    error: null,
    attempt: 1,
    cached: false,
    cachedFrom: null,
    ...extra,
  };
}

describe('ArtifactIndex', () => {
  it('pages 10,000 rows newest first', () => {
    const index = new ArtifactIndex();
    index.replaceAll(
      Array.from({ length: 10_000 }, (_, i) => row(i % 2 ? 'train' : 'split', `a${i}`, i)),
    );
    const first = index.query({ page: 0, pageSize: 50 });
    expect(first.total).toBe(10_000);
    expect(first.pages).toBe(200);
    expect(first.rows.map((r) => r.name).slice(0, 2)).toEqual(['a9999', 'a9998']);
    const last = index.query({ page: 999, pageSize: 50 });
    expect(last.page).toBe(199);
    expect(last.rows.at(-1)?.name).toBe('a0');
    expect(index.query({ container: 'train', page: 0, pageSize: 10 }).total).toBe(5000);
  });

  it('filters by status and by text in name or message', () => {
    const index = new ArtifactIndex();
    index.replaceAll([
      row('train', 'model-1', 1, { status: 'failed', message: 'out of memory' }),
      row('train', 'model-2', 2),
      row('split', 'split-1', 3),
    ]);
    expect(
      index.query({ status: 'failed', page: 0, pageSize: 10 }).rows.map((r) => r.name),
    ).toEqual(['model-1']);
    expect(index.query({ text: 'MEMORY', page: 0, pageSize: 10 }).total).toBe(1);
    expect(index.query({ text: 'model', page: 0, pageSize: 10 }).total).toBe(2);
    expect(index.containers()).toEqual(['split', 'train']);
  });

  it('updates rows in place and inserts new ones in order', () => {
    const index = new ArtifactIndex();
    index.replaceAll([row('train', 'old', 1), row('train', 'newer', 5)]);
    index.upsert(row('train', 'old', 1, { status: 'in-progress', progress: 0.5 }));
    index.upsert(row('split', 'middle', 3));
    index.upsert(row('split', 'newest', 9));
    expect(index.query({ page: 0, pageSize: 10 }).rows.map((r) => r.name)).toEqual([
      'newest',
      'newer',
      'middle',
      'old',
    ]);
    expect(index.get('train', 'old')?.progress).toBe(0.5);
    index.remove('train', 'newer');
    expect(index.size).toBe(3);
    expect(index.query({ page: 0, pageSize: 10 }).rows.map((r) => r.name)).toEqual([
      'newest',
      'middle',
      'old',
    ]);
  });

  it('moves a row re-created under the same name', () => {
    const index = new ArtifactIndex();
    index.replaceAll([row('train', 'x', 1), row('train', 'y', 2)]);
    index.upsert(row('train', 'x', 3));
    expect(index.query({ page: 0, pageSize: 10 }).rows.map((r) => r.name)).toEqual(['x', 'y']);
    expect(index.size).toBe(2);
  });
});
