import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactIndex, type IndexedArtifact } from './artifact-index.js';

let dir: string;
let index: ArtifactIndex;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-index-'));
  index = new ArtifactIndex(join(dir, 'kiln.db'));
});
afterEach(async () => {
  index.close();
  await rm(dir, { recursive: true, force: true });
});

function row(name: string, overrides: Partial<IndexedArtifact> = {}): IndexedArtifact {
  return {
    name,
    status: 'queued',
    createdAt: '2026-11-22T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    progress: 0,
    message: null,
    error: null,
    attempt: 1,
    cached: false,
    cachedFrom: null,
    cacheKey: null,
    digest: null,
    callback: null,
    callbackState: null,
    inputs: [],
    ...overrides,
  };
}

describe('ArtifactIndex', () => {
  it('lists summaries as JSON, newest first, and reflects every write', () => {
    index.insert(row('a'), { parameters: {}, inputFiles: [] });
    index.insert(row('b', { cached: true, cachedFrom: 'a' }), { parameters: {}, inputFiles: [] });
    expect(JSON.parse(index.listJson())).toEqual([
      expect.objectContaining({ name: 'b', cached: true, cachedFrom: 'a', progress: 0 }),
      expect.objectContaining({ name: 'a', cached: false }),
    ]);
    expect(JSON.parse(index.listJson('queued'))).toHaveLength(2);
    index.update('a', { status: 'completed', progress: 1 });
    expect(JSON.parse(index.listJson('completed'))).toEqual([
      expect.objectContaining({ name: 'a', status: 'completed', progress: 1 }),
    ]);
    expect(JSON.parse(index.listJson()).map((s: { status: string }) => s.status)).toEqual([
      'queued',
      'completed',
    ]);
    index.remove('b');
    expect(JSON.parse(index.listJson()).map((s: { name: string }) => s.name)).toEqual(['a']);
    expect(JSON.parse(index.listJson('queued'))).toEqual([]);
  });

  it('refuses a taken name and keeps rows that are not ready out of the queue', () => {
    expect(index.insert(row('x'), { parameters: {}, inputFiles: [], ready: false })).toBe(true);
    expect(index.insert(row('x'), { parameters: {}, inputFiles: [] })).toBe(false);
    expect(index.nextQueued()).toBeNull();
    expect(index.unreadyNames()).toEqual(['x']);
    index.markReady('x');
    expect(index.nextQueued()?.name).toBe('x');
    expect(index.unreadyNames()).toEqual([]);
  });

  it('adds the columns an index made by an older Kiln lacks', async () => {
    index.close();
    const { default: Database } = await import('better-sqlite3');
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE artifacts (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
      status TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
      progress REAL NOT NULL DEFAULT 0, message TEXT, error TEXT, attempt INTEGER NOT NULL DEFAULT 1,
      cached INTEGER NOT NULL DEFAULT 0, cached_from TEXT, cache_key TEXT, digest TEXT, callback TEXT,
      callback_state TEXT, inputs TEXT NOT NULL DEFAULT '[]')`);
    old.exec(
      `INSERT INTO artifacts (name, status, created_at) VALUES ('old', 'queued', '2026-01-01T00:00:00.000Z')`,
    );
    old.close();
    index = new ArtifactIndex(path);
    expect(index.nextQueued()?.name).toBe('old');
    expect(index.buildInputs('old')).toEqual({ parameters: {}, inputFiles: [] });
    expect(index.files('old')).toEqual([]);
  });

  it('applies a guarded update only while the status still holds', () => {
    index.insert(row('g'), { parameters: { p: 1 }, inputFiles: [] });
    expect(index.update('g', { status: 'cancelled' }, 'in-progress')).toBe(false);
    expect(index.update('g', { status: 'in-progress' }, 'queued')).toBe(true);
    expect(index.get('g')?.status).toBe('in-progress');
    expect(index.buildInputs('g')).toEqual({ parameters: { p: 1 }, inputFiles: [] });
  });
});
