import type { ArtifactSummary } from '@kiln/api';
import type { IndexedArtifact, StoreBackend } from '@kiln/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** A backend for one test, and how to throw it away. */
export interface OpenedBackend {
  backend: StoreBackend;
  /**
   * For a store several processes share: the same store as another process (replica) sees it,
   * under the id `replica`. Closed by `dispose` unless closed before.
   */
  openPeer?(replica: string): Promise<StoreBackend>;
  dispose(): Promise<void>;
}

/** A queued row as `ArtifactStore` makes one. */
function queuedRow(name: string, overrides: Partial<IndexedArtifact> = {}): IndexedArtifact {
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

/**
 * What every `StoreBackend` must do, whatever stands behind it: the index, the queue with its
 * leases and fenced commits, and the event fan-out. Each implementation runs this suite with its
 * own `open`.
 */
export function describeStoreContract(
  label: string,
  open: () => Promise<OpenedBackend>,
  options: { shared?: boolean } = {},
): void {
  describe(`${label}: the StoreBackend contract`, () => {
    let opened: OpenedBackend;
    let backend: StoreBackend;
    const claimer = { owner: 'replica-a', leaseMs: 30_000, gpu: null };
    // A lease that has run out as soon as it is taken: a shared store takes such a build back
    // from its owner, as the embedded one takes back every build another process held.
    const lapsed = { ...claimer, leaseMs: 0 };

    beforeEach(async () => {
      opened = await open();
      backend = opened.backend;
    });
    afterEach(async () => opened.dispose());

    const insert = (name: string, overrides: Partial<IndexedArtifact> = {}, ready = true) =>
      backend.index.insert(queuedRow(name, overrides), {
        parameters: { name },
        inputFiles: [],
        ready,
      });

    describe('the index', () => {
      it('inserts once per name, reads rows back and lists them newest first', async () => {
        expect(await insert('a')).toBe(true);
        expect(await insert('a')).toBe(false);
        await insert('b', { cached: true, cachedFrom: 'a' });
        expect(await backend.index.get('a')).toEqual(queuedRow('a'));
        expect(await backend.index.get('nope')).toBeNull();
        expect(JSON.parse(await backend.index.listJson())).toEqual([
          expect.objectContaining({ name: 'b', cached: true, cachedFrom: 'a', progress: 0 }),
          expect.objectContaining({ name: 'a', cached: false }),
        ]);
        expect((await backend.index.list('queued')).map((row) => row.name)).toEqual(['b', 'a']);
        expect(await backend.index.allNames()).toEqual(new Set(['a', 'b']));
        expect(await backend.index.buildInputs('a')).toEqual({
          parameters: { name: 'a' },
          inputFiles: [],
        });
      });

      it('keeps listings true to every write, the queue’s included', async () => {
        await insert('a');
        await insert('b');
        expect(JSON.parse(await backend.index.listJson('queued'))).toHaveLength(2);
        await backend.index.update('a', { status: 'completed', progress: 1 });
        expect(JSON.parse(await backend.index.listJson('completed'))).toEqual([
          expect.objectContaining({ name: 'a', status: 'completed', progress: 1 }),
        ]);
        const claimed = (await backend.queue.claim(claimer))!;
        expect(JSON.parse(await backend.index.listJson('in-progress'))).toEqual([
          expect.objectContaining({ name: 'b', message: 'building' }),
        ]);
        await backend.queue.commit(claimed.lease, { status: 'failed', error: 'x' });
        expect(JSON.parse(await backend.index.listJson('failed'))).toHaveLength(1);
        await backend.index.remove('a');
        expect(
          JSON.parse(await backend.index.listJson()).map((s: ArtifactSummary) => s.name),
        ).toEqual(['b']);
      });

      it('applies a guarded update only while the status still holds', async () => {
        await insert('g');
        expect(await backend.index.update('g', { status: 'cancelled' }, 'in-progress')).toBe(false);
        expect(await backend.index.update('g', { status: 'cancelled' }, 'queued')).toBe(true);
        expect((await backend.index.get('g'))?.status).toBe('cancelled');
        expect(await backend.index.countByStatus()).toEqual({ cancelled: 1 });
      });

      it('finds the newest uncached completed artifact by cache key', async () => {
        await insert('old', { status: 'completed', cacheKey: 'k' });
        await insert('new', { status: 'completed', cacheKey: 'k' });
        await insert('copy', { status: 'completed', cacheKey: 'k', cached: true });
        await insert('queued', { cacheKey: 'k' });
        expect((await backend.index.findCompletedByCacheKey('k'))?.name).toBe('new');
        expect(await backend.index.findCompletedByCacheKey('other')).toBeNull();
      });

      it('tracks unready rows and pending callbacks', async () => {
        await insert('moving', {}, false);
        await insert('hook', { callback: 'http://x/', callbackState: 'pending' });
        // Unready rows whose creator is gone. The embedded store's one process asks only when it
        // starts, when every such row is a dead process's; a shared store leaves out those of
        // live processes, the one asking included (see 'several processes' below).
        expect(await backend.index.unreadyNames()).toEqual(options.shared ? [] : ['moving']);
        expect((await backend.index.withPendingCallbacks()).map((row) => row.name)).toEqual([
          'hook',
        ]);
        await backend.index.markReady('moving');
        await backend.index.update('hook', { callbackState: 'delivered' });
        expect(await backend.index.unreadyNames()).toEqual([]);
        expect(await backend.index.withPendingCallbacks()).toEqual([]);
      });
    });

    describe('the queue', () => {
      it('hands out ready builds oldest first, each once, even to concurrent claims', async () => {
        for (const name of ['first', 'second', 'third']) await insert(name);
        await insert('not-ready', {}, false);
        expect(await backend.queue.countReady()).toBe(3);
        const claims = await Promise.all(
          Array.from({ length: 5 }, () => backend.queue.claim({ ...claimer, gpu: 1 })),
        );
        const names = claims.map((claim) => claim?.artifact.name ?? null);
        expect(names.filter((name) => name !== null).sort()).toEqual(['first', 'second', 'third']);
        expect(names.filter((name) => name === null)).toHaveLength(2);
        const first = claims.find((claim) => claim?.artifact.name === 'first')!;
        expect(first).toMatchObject({
          parameters: { name: 'first' },
          inputFiles: [],
          artifact: { status: 'in-progress', message: 'building', attempt: 1, gpu: 1 },
          lease: { name: 'first', attempt: 1, owner: 'replica-a' },
        });
        expect(first.artifact.startedAt).not.toBeNull();
        expect(await backend.queue.countReady()).toBe(0);
      });

      it('claims in creation order, one at a time', async () => {
        for (const name of ['q1', 'q2', 'q3']) await insert(name);
        const order = [];
        for (
          let claim = await backend.queue.claim(claimer);
          claim;
          claim = await backend.queue.claim(claimer)
        )
          order.push(claim.artifact.name);
        expect(order).toEqual(['q1', 'q2', 'q3']);
      });

      it('renews, reports progress and commits only under the current lease', async () => {
        await insert('fenced');
        const claim = (await backend.queue.claim(claimer))!;
        expect(await backend.queue.renew(claim.lease, 60_000)).toMatchObject({
          name: 'fenced',
          token: claim.lease.token,
          stopRequested: null,
        });
        expect((await backend.queue.renew(claim.lease, 60_000))!.expiresAt).toBeGreaterThanOrEqual(
          claim.lease.expiresAt,
        );
        // Renewed with no time left: the lease runs out at once (for a store that reads leases).
        await backend.queue.renew(claim.lease, 0);
        expect(await backend.queue.progress(claim.lease, 0.5, 'half')).toMatchObject({
          progress: 0.5,
          message: 'half',
        });

        // Taken back from its owner, presumed gone, and claimed again under a new lease.
        const stale = claim.lease;
        expect(await backend.queue.recoverAbandoned('replica-b', 3)).toHaveLength(1);
        const again = (await backend.queue.claim({ ...claimer, owner: 'replica-b' }))!;
        expect(again.lease.attempt).toBe(2);
        expect(again.lease.token).not.toBe(stale.token);

        expect(await backend.queue.renew(stale, 60_000)).toBeNull();
        expect(await backend.queue.progress(stale, 0.9, 'late')).toBeNull();
        expect(
          await backend.queue.commit(stale, { status: 'completed', files: [], digest: 'old' }),
        ).toBeNull();
        expect(
          await backend.queue.commit(
            { ...again.lease, attempt: 1 },
            { status: 'failed', error: 'an older attempt' },
          ),
        ).toBeNull();

        const files = [{ path: 'a.txt', size: 1, sha256: 'x' }];
        expect(
          await backend.queue.commit(again.lease, { status: 'completed', files, digest: 'new' }),
        ).toMatchObject({
          status: 'completed',
          attempt: 2,
          progress: 1,
          message: null,
          error: null,
        });
        expect(await backend.index.files('fenced')).toEqual(files);
        expect((await backend.index.get('fenced'))?.digest).toBe('new');
        // A build ends once: the same lease cannot commit again.
        expect(
          await backend.queue.commit(again.lease, { status: 'failed', error: 'twice' }),
        ).toBeNull();
      });

      it('ends builds as cancelled or failed with what they say', async () => {
        await insert('c');
        await insert('f');
        const c = (await backend.queue.claim(claimer))!;
        const f = (await backend.queue.claim(claimer))!;
        expect(
          await backend.queue.commit(c.lease, { status: 'cancelled', message: 'cancelled' }),
        ).toMatchObject({ status: 'cancelled', message: 'cancelled', error: null });
        const failed = await backend.queue.commit(f.lease, { status: 'failed', error: 'it broke' });
        expect(failed).toMatchObject({ status: 'failed', message: null, error: 'it broke' });
        expect(failed?.finishedAt).not.toBeNull();
        expect(await backend.index.countByStatus()).toEqual({ cancelled: 1, failed: 1 });
      });

      it('queues abandoned builds again with attempt + 1, failing them after maxAttempts', async () => {
        await insert('doomed');
        for (const attempt of [1, 2, 3]) {
          const claim = (await backend.queue.claim({ ...lapsed, owner: `run-${attempt}` }))!;
          expect(claim.lease.attempt).toBe(attempt);
          expect(await backend.queue.recoverAbandoned(`run-${attempt}`, 3)).toEqual([]);
          const [recovered] = await backend.queue.recoverAbandoned(`run-${attempt + 1}`, 3);
          expect(recovered?.gaveUp).toBe(attempt === 3);
          expect(recovered?.summary.status).toBe(attempt === 3 ? 'failed' : 'queued');
        }
        expect(await backend.index.get('doomed')).toMatchObject({
          status: 'failed',
          attempt: 3,
          error: 'the build was interrupted by a restart of its container 3 times; giving up',
        });
      });
    });

    describe('stops and callbacks', () => {
      it('records a stop for the holder, who hears it at renewal; recovery then cancels', async () => {
        await insert('stopped');
        await insert('waiting');
        expect(await backend.queue.requestStop('waiting', 'cancel')).toBe(false);
        const claim = (await backend.queue.claim(lapsed))!;
        expect(await backend.queue.requestStop('stopped', 'delete')).toBe(true);
        // The first request stands.
        expect(await backend.queue.requestStop('stopped', 'cancel')).toBe(true);
        expect((await backend.queue.renew(claim.lease, 0))?.stopRequested).toBe('delete');
        const [recovered] = await backend.queue.recoverAbandoned('replica-b', 3);
        expect(recovered).toMatchObject({
          gaveUp: false,
          summary: { name: 'stopped', status: 'cancelled', message: 'cancelled', attempt: 1 },
        });
        expect(recovered?.summary.finishedAt).not.toBeNull();
        // A stop is forgotten once its build ends: the next claim starts clean.
        const next = (await backend.queue.claim(claimer))!;
        expect(next.artifact.name).toBe('waiting');
        expect((await backend.queue.renew(next.lease, 30_000))?.stopRequested).toBeNull();
      });

      it('gives a pending callback to one sender until its claim runs out', async () => {
        await insert('hook', { callback: 'http://x/', callbackState: 'pending' });
        await insert('plain');
        expect(await backend.index.claimCallback('plain', 'a', 60_000)).toBe(false);
        expect(await backend.index.claimCallback('hook', 'a', 60_000)).toBe(true);
        expect(await backend.index.claimCallback('hook', 'b', 60_000)).toBe(false);
        // Its holder may claim again (before each attempt), for no time at all...
        expect(await backend.index.claimCallback('hook', 'a', 0)).toBe(true);
        // ...after which another sender may take it.
        expect(await backend.index.claimCallback('hook', 'b', 60_000)).toBe(true);
        await backend.index.update('hook', { callbackState: 'delivered' });
        expect(await backend.index.claimCallback('hook', 'b', 60_000)).toBe(false);
      });
    });

    describe('the events', () => {
      it('fans summaries out to everyone and to the artifact’s own listeners', async () => {
        const all: string[] = [];
        const mine: string[] = [];
        const stopAll = backend.events.onAnyArtifact((summary) => all.push(summary.name));
        const stopMine = backend.events.onArtifact('a', (summary) => mine.push(summary.status));
        backend.events.artifactChanged(queuedRow('a'));
        backend.events.artifactChanged(queuedRow('b'));
        stopMine();
        backend.events.artifactChanged({ ...queuedRow('a'), status: 'completed' });
        stopAll();
        backend.events.artifactChanged(queuedRow('c'));
        expect(all).toEqual(['a', 'b', 'a']);
        expect(mine).toEqual(['queued']);
      });

      it('tells log and metric listeners of their artifact only', async () => {
        const heard: string[] = [];
        const stops = [
          backend.events.onLog('a', () => heard.push('log a')),
          backend.events.onMetrics('a', () => heard.push('metric a')),
        ];
        backend.events.logAppended('a');
        backend.events.logAppended('b');
        backend.events.metricsChanged('a');
        for (const stop of stops) stop();
        backend.events.logAppended('a');
        expect(heard).toEqual(['log a', 'metric a']);
      });
    });

    if (options.shared) {
      describe('several processes on one store', () => {
        const peer = (): Promise<StoreBackend> => opened.openPeer!('replica-b');
        const completed = { status: 'completed', files: [], digest: 'd' } as const;

        it('takes back a lapsed lease, never a live one, and fences out its old holder', async () => {
          const other = await peer();
          await insert('live');
          await insert('lapsed');
          const live = (await backend.queue.claim(claimer))!;
          const old = (await backend.queue.claim(lapsed))!;
          // A holder does not take back its own builds, lapsed or not.
          expect(await backend.queue.recoverAbandoned('replica-a', 3)).toEqual([]);
          const recovered = await other.queue.recoverAbandoned('replica-b', 3);
          expect(
            recovered.map((r) => [r.summary.name, r.summary.status, r.summary.attempt]),
          ).toEqual([['lapsed', 'queued', 2]]);
          expect(await backend.queue.recoverAbandoned('replica-c', 3)).toEqual([]);
          const taken = (await other.queue.claim({ ...claimer, owner: 'replica-b' }))!;
          expect(taken.lease).toMatchObject({ name: 'lapsed', attempt: 2, owner: 'replica-b' });
          expect(await backend.queue.renew(old.lease, 30_000)).toBeNull();
          expect(await backend.queue.progress(old.lease, 0.9, 'stale')).toBeNull();
          expect(await backend.queue.commit(old.lease, completed)).toBeNull();
          expect(await other.queue.commit(taken.lease, completed)).toMatchObject({
            status: 'completed',
            attempt: 2,
          });
          expect(
            await backend.queue.commit(live.lease, { status: 'failed', error: 'x' }),
          ).toMatchObject({ status: 'failed', attempt: 1 });
        });

        it('hands each build to one process when several claim at once', async () => {
          const other = await peer();
          const names = Array.from({ length: 20 }, (_, i) => `b${i}`);
          for (const name of names) await insert(name);
          const claims = await Promise.all(
            Array.from({ length: 30 }, (_, i) =>
              (i % 2 ? other : backend).queue.claim({ ...claimer, owner: `r${i % 2}` }),
            ),
          );
          const claimed = claims.flatMap((claim) => (claim ? [claim.artifact.name] : []));
          expect(claimed.sort()).toEqual([...names].sort());
        });

        it('tells every process of every change, and its sender once', async () => {
          const other = await peer();
          const heard = (subscribe: (done: () => void) => () => void): Promise<void> =>
            new Promise((done) => {
              const stop = subscribe(() => {
                stop();
                done();
              });
            });
          const arrivals = Promise.all([
            heard((done) =>
              other.events.onArtifact('x', (s) => (s.status === 'completed' ? done() : undefined)),
            ),
            heard((done) =>
              other.events.onAnyArtifact((s) => (s.name === 'x' ? done() : undefined)),
            ),
            heard((done) => other.events.onLog('x', done)),
            heard((done) => other.events.onMetrics('x', done)),
            heard((done) =>
              other.events.onStopRequest((name, request) =>
                name === 'x' && request === 'cancel' ? done() : undefined,
              ),
            ),
          ]);
          const own: string[] = [];
          const stopOwn = backend.events.onArtifact('x', (s) => own.push(s.status));
          backend.events.artifactChanged({ ...queuedRow('x'), status: 'completed' });
          backend.events.logAppended('x');
          backend.events.metricsChanged('x');
          backend.events.stopRequested('x', 'cancel');
          // Delivered where it was made at once; elsewhere through the shared store.
          expect(own).toEqual(['completed']);
          await arrivals;
          // The other answers; by then the sender has had its own notification back, and skipped it.
          const answered = heard((done) => backend.events.onArtifact('ack', () => done()));
          other.events.artifactChanged(queuedRow('ack'));
          await answered;
          stopOwn();
          expect(own).toEqual(['completed']);
        });

        it('knows which other processes are alive, and drops the creates of one that is gone', async () => {
          const other = await peer();
          expect(await backend.otherReplicas()).toEqual(['replica-b']);
          expect(await other.otherReplicas()).toEqual(['replica-a']);
          await other.index.insert(queuedRow('half'), {
            parameters: {},
            inputFiles: [],
            ready: false,
          });
          // Its creator is alive (or is the one asking): a create under way.
          expect(await backend.index.unreadyNames()).toEqual([]);
          expect(await other.index.unreadyNames()).toEqual([]);
          await other.close();
          expect(await backend.otherReplicas()).toEqual([]);
          expect(await backend.index.unreadyNames()).toEqual(['half']);
        });
      });
    }
  });
}
