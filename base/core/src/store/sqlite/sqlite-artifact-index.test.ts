import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexedArtifact } from '../artifact-row.js';
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
    gpu: null,
    ...overrides,
  };
}

describe('SqliteArtifactIndex', () => {
  it('lists summaries as JSON, newest first, and reflects every write', async () => {
    const { index } = backend;
    await index.insert(row('a'), { parameters: {}, inputFiles: [] });
    await index.insert(row('b', { cached: true, cachedFrom: 'a' }), {
      parameters: {},
      inputFiles: [],
    });
    expect(JSON.parse(await index.listJson())).toEqual([
      expect.objectContaining({ name: 'b', cached: true, cachedFrom: 'a', progress: 0 }),
      expect.objectContaining({ name: 'a', cached: false }),
    ]);
    expect(JSON.parse(await index.listJson('queued'))).toHaveLength(2);
    await index.update('a', { status: 'completed', progress: 1 });
    expect(JSON.parse(await index.listJson('completed'))).toEqual([
      expect.objectContaining({ name: 'a', status: 'completed', progress: 1 }),
    ]);
    expect(JSON.parse(await index.listJson()).map((s: { status: string }) => s.status)).toEqual([
      'queued',
      'completed',
    ]);
    await index.remove('b');
    expect(JSON.parse(await index.listJson()).map((s: { name: string }) => s.name)).toEqual(['a']);
    expect(JSON.parse(await index.listJson('queued'))).toEqual([]);
  });

  it('refuses a taken name and keeps rows that are not ready out of the queue', async () => {
    const { index, queue } = backend;
    expect(await index.insert(row('x'), { parameters: {}, inputFiles: [], ready: false })).toBe(
      true,
    );
    expect(await index.insert(row('x'), { parameters: {}, inputFiles: [] })).toBe(false);
    expect(await queue.countReady()).toBe(0);
    expect(await queue.claim({ owner: 'me', leaseMs: 1000, gpu: null })).toBeNull();
    expect(await index.unreadyNames()).toEqual(['x']);
    await index.markReady('x');
    expect(await queue.countReady()).toBe(1);
    expect((await queue.claim({ owner: 'me', leaseMs: 1000, gpu: null }))?.artifact.name).toBe('x');
    expect(await index.unreadyNames()).toEqual([]);
  });

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

  it('applies a guarded update only while the status still holds', async () => {
    const { index } = backend;
    await index.insert(row('g'), { parameters: { p: 1 }, inputFiles: [] });
    expect(await index.update('g', { status: 'cancelled' }, 'in-progress')).toBe(false);
    expect(await index.update('g', { status: 'in-progress' }, 'queued')).toBe(true);
    expect((await index.get('g'))?.status).toBe('in-progress');
    expect(await index.buildInputs('g')).toEqual({ parameters: { p: 1 }, inputFiles: [] });
  });
});

describe('SqliteBuildQueue', () => {
  const claimOptions = { owner: 'replica-a', leaseMs: 30_000, gpu: null };

  it('hands out ready builds oldest first, each once', async () => {
    for (const name of ['first', 'second', 'third'])
      await backend.index.insert(row(name), { parameters: { name }, inputFiles: [] });
    const claimed = [];
    for (let i = 0; i < 4; i += 1) claimed.push(await backend.queue.claim(claimOptions));
    expect(claimed.map((c) => c?.artifact.name ?? null)).toEqual([
      'first',
      'second',
      'third',
      null,
    ]);
    expect(claimed[0]).toMatchObject({
      parameters: { name: 'first' },
      inputFiles: [],
      artifact: { status: 'in-progress', message: 'building', attempt: 1 },
      lease: { name: 'first', attempt: 1, owner: 'replica-a', token: 1 },
    });
  });

  it('renews and commits only under the current lease', async () => {
    await backend.index.insert(row('fenced'), { parameters: {}, inputFiles: [] });
    const claim = (await backend.queue.claim(claimOptions))!;
    const renewed = await backend.queue.renew(claim.lease, 60_000);
    expect(renewed?.expiresAt).toBeGreaterThanOrEqual(claim.lease.expiresAt);
    expect((await backend.queue.progress(claim.lease, 0.5, 'half'))?.progress).toBe(0.5);

    // The build is taken back (its owner presumed gone) and claimed again: a new token.
    const stale = claim.lease;
    expect(await backend.queue.recoverAbandoned('replica-b', 3)).toHaveLength(1);
    const again = (await backend.queue.claim({ ...claimOptions, owner: 'replica-b' }))!;
    expect(again.lease).toMatchObject({ attempt: 2, token: stale.token + 1 });

    // The stale holder can neither renew, report progress nor commit.
    expect(await backend.queue.renew(stale, 60_000)).toBeNull();
    expect(await backend.queue.progress(stale, 0.9, 'late')).toBeNull();
    expect(
      await backend.queue.commit(stale, { status: 'completed', files: [], digest: 'old' }),
    ).toBeNull();
    // A forged lease with the right token but an older attempt is refused too.
    expect(
      await backend.queue.commit(
        { ...again.lease, attempt: 1 },
        { status: 'failed', error: 'older attempt' },
      ),
    ).toBeNull();

    const files = [{ path: 'a.txt', size: 1, sha256: 'x' }];
    expect(
      await backend.queue.commit(again.lease, { status: 'completed', files, digest: 'new' }),
    ).toMatchObject({ status: 'completed', attempt: 2, progress: 1, message: null });
    expect(await backend.index.files('fenced')).toEqual(files);
    expect((await backend.index.get('fenced'))?.digest).toBe('new');
    // A second commit of the same lease changes nothing: a build completes once.
    expect(
      await backend.queue.commit(again.lease, { status: 'failed', error: 'twice' }),
    ).toBeNull();
  });

  it('recovers builds of a gone owner with attempt + 1, and fails them after maxAttempts', async () => {
    await backend.index.insert(row('doomed'), { parameters: {}, inputFiles: [] });
    for (const attempt of [1, 2, 3]) {
      const claim = (await backend.queue.claim({ ...claimOptions, owner: `run-${attempt}` }))!;
      expect(claim.lease.attempt).toBe(attempt);
      // The owner's own builds are not abandoned.
      expect(await backend.queue.recoverAbandoned(`run-${attempt}`, 3)).toEqual([]);
      const [recovered] = await backend.queue.recoverAbandoned(`run-${attempt + 1}`, 3);
      expect(recovered?.gaveUp).toBe(attempt === 3);
    }
    expect(await backend.index.get('doomed')).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: 'the build was interrupted by a restart of its container 3 times; giving up',
    });
  });

  it('ends builds as cancelled or failed with their message', async () => {
    await backend.index.insert(row('c'), { parameters: {}, inputFiles: [] });
    await backend.index.insert(row('f'), { parameters: {}, inputFiles: [] });
    const c = (await backend.queue.claim(claimOptions))!;
    const f = (await backend.queue.claim(claimOptions))!;
    expect(
      await backend.queue.commit(c.lease, { status: 'cancelled', message: 'cancelled' }),
    ).toMatchObject({ status: 'cancelled', message: 'cancelled', error: null });
    expect(
      await backend.queue.commit(f.lease, { status: 'failed', error: 'it broke' }),
    ).toMatchObject({ status: 'failed', message: null, error: 'it broke' });
    expect(await backend.index.countByStatus()).toEqual({ cancelled: 1, failed: 1 });
  });
});
