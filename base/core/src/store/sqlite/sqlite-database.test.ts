import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreBackend } from '../store-backend.js';
import { openSqliteBackend } from './open-sqlite-backend.js';

let dir: string;
let backend: StoreBackend;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-index-'));
  backend = openSqliteBackend(join(dir, 'kiln.db'));
});
afterEach(async () => {
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteDatabase', () => {
  it('adds the columns an index made by an older Kiln lacks, and recovers its builds', async () => {
    await backend.close();
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
    old.exec(
      `INSERT INTO artifacts (name, status, created_at) VALUES ('was-running', 'in-progress', '2026-01-01T00:00:01.000Z')`,
    );
    old.close();
    backend = openSqliteBackend(path);
    expect(await backend.index.buildInputs('old')).toEqual({ parameters: {}, inputFiles: [] });
    expect(await backend.index.files('old')).toEqual([]);
    expect((await backend.index.get('old'))?.gpu).toBeNull();
    const recovered = await backend.queue.recoverAbandoned('me', 3);
    expect(recovered.map((r) => [r.summary.name, r.summary.attempt, r.gaveUp])).toEqual([
      ['was-running', 2, false],
    ]);
    const claimed = await backend.queue.claim({ owner: 'me', leaseMs: 1000, gpu: 0 });
    expect(claimed?.artifact).toMatchObject({ name: 'old', status: 'in-progress', gpu: 0 });
  });
});
