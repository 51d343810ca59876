import type { ArtifactSummary } from '@kiln/api';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  create,
  killHard,
  openEvents,
  spawnServer,
  tempDir,
  waitFinal,
  waitInProgress,
} from './helpers.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.mjs';

// Cluster mode with real processes: replicas of one tool container (`kiln serve`, each with its
// own mules) on one PostgreSQL server and one shared data folder. One server for the file; each
// test has its own schema and folder. Leases are short, so take-overs come quickly.

const run = promisify(execFile);
let database: TestPostgres;
beforeAll(async () => {
  database = await startPostgres();
});
afterAll(async () => database?.stop());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Replica {
  url: string;
  child: ChildProcess;
}

let schemas = 0;

/** A shared folder, a schema of its own, and `count` replicas started at once on them. */
async function startCluster(
  count: number,
  options: { leaseMs?: number; workers?: number } = {},
): Promise<{ replicas: Replica[]; dataDir: string; ledger: string; start(): Promise<Replica> }> {
  const dataDir = await tempDir('kiln-cluster-');
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const schema = `cluster_${(schemas += 1)}`;
  const args = [
    '--database-url',
    database.url,
    '--database-schema',
    schema,
    '--lease-ms',
    String(options.leaseMs ?? 30_000),
    '--workers',
    String(options.workers ?? 1),
    // Mules stay: a test may look at which replica's mule built what.
    '--mule-idle-ms',
    '0',
  ];
  const start = async (): Promise<Replica> => {
    const replica = await spawnServer('worker-tool.mjs', dataDir, args);
    cleanups.push(() => killHard(replica.child));
    return replica;
  };
  const replicas = await Promise.all(Array.from({ length: count }, start));
  return { replicas, dataDir, ledger: join(dataDir, 'ledger.txt'), start };
}

/** The ledger's lines, as `[what, name, attempt, pid]`. */
function readLedger(path: string): [string, string, number, number][] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [what, name, attempt, pid] = line.split(' ');
      return [what!, name!, Number(attempt), Number(pid)];
    });
}

describe('replicas on one database and one folder', () => {
  it('build 200 creates spread over two API replicas exactly once, with three workers', async () => {
    const { replicas, ledger } = await startCluster(3);
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    // Three builds that can only pass their barrier together: the third replica, which gets
    // no request at all, must have claimed one of them.
    const barrier = join(ledger, '..', 'barrier');
    await Promise.all(
      ['meet-1', 'meet-2', 'meet-3'].map((name, i) =>
        create(i % 2 ? b.url : a.url, { name, parameters: { ledger, barrier, parties: 3 } }),
      ),
    );
    const names = Array.from({ length: 200 }, (_, i) => `build-${i}`);
    const created = await Promise.all(
      names.map((name, i) => create(i % 2 ? b.url : a.url, { name, parameters: { ledger } })),
    );
    expect(created.every((summary) => summary.status === 'queued')).toBe(true);
    // Each replica answers for builds the others made.
    const finals = await Promise.all(
      [...names, 'meet-1', 'meet-2', 'meet-3'].map((name, i) =>
        waitFinal([c, a, b][i % 3]!.url, name),
      ),
    );
    expect(finals.every((summary) => summary.status === 'completed' && summary.attempt === 1)).toBe(
      true,
    );
    const lines = readLedger(ledger);
    for (const name of [...names, 'meet-1', 'meet-2', 'meet-3']) {
      expect(
        lines.filter(([what, n]) => what === 'done' && n === name),
        name,
      ).toHaveLength(1);
    }
    expect(lines.filter(([what]) => what === 'start')).toHaveLength(203);
    // The barrier was passed by three mules at once.
    const meetPids = new Set(
      lines.filter(([, n]) => n.startsWith('meet-')).map(([, , , pid]) => pid),
    );
    expect(meetPids.size).toBe(3);
    const listing = (await (
      await fetch(`${c.url}/artifacts?status=completed`)
    ).json()) as unknown[];
    expect(listing).toHaveLength(203);
    // Any replica serves any artifact's data.
    const data = JSON.parse(await (await fetch(`${a.url}/artifacts/build-1/data`)).text()) as {
      attempt: number;
    };
    expect(data.attempt).toBe(1);
  });

  it('let one replica see, follow, cancel and delete the builds another holds', async () => {
    const { replicas, ledger, dataDir } = await startCluster(1, { workers: 3 });
    const [holder] = replicas as [Replica];
    const release = join(dataDir, 'release');
    await create(holder.url, { name: 'released', parameters: { ledger, release } });
    for (const name of ['doomed', 'gone'])
      await create(holder.url, { name, parameters: { ledger, blockBeforeAttempt: 99 } });
    // The holder has all three before the other replica starts.
    for (const name of ['released', 'doomed', 'gone']) await waitInProgress(holder.url, name);
    const other = await startClusterPeer(dataDir, holder);
    // ?wait, /events and ?follow on the other replica, then the holder finishes the build.
    const events = await openEvents(other.url);
    const waited = fetch(`${other.url}/artifacts/released/status?wait=30`).then(
      (r) => r.json() as Promise<ArtifactSummary>,
    );
    const followed = fetch(`${other.url}/artifacts/released/log?follow=1`).then((r) => r.text());
    const seen = events.waitFor((s) => s.name === 'released' && s.status === 'completed');
    await writeFile(release, 'go');
    expect(await waited).toMatchObject({ status: 'completed', attempt: 1 });
    expect((await seen).status).toBe('completed');
    events.close();
    expect(await followed).toMatch(/attempt 1 in mule \d+/);

    // Cancel through the other replica: the holder stops the build.
    const cancelled = await fetch(`${other.url}/artifacts/doomed/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(202);
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect(await (await fetch(`${holder.url}/artifacts/doomed/log`)).text()).toContain(
      'the build was cancelled',
    );

    // Delete through the other replica: the holder stops it, and it is gone everywhere.
    expect((await fetch(`${other.url}/artifacts/gone/`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${holder.url}/artifacts/gone/`)).status).toBe(404);
    expect(existsSync(join(dataDir, 'artifacts', 'gone'))).toBe(false);
    // Every build ran in the holder's mules.
    const pids = new Set(readLedger(ledger).map(([, , , pid]) => pid));
    for (const pid of pids) expect(parentOf(pid)).toBe(holder.child.pid);
  });

  it('take over the builds of a replica killed with kill -9, once their leases run out', async () => {
    const { replicas, ledger, start } = await startCluster(1, { leaseMs: 1_000, workers: 2 });
    const [victim] = replicas as [Replica];
    for (const name of ['held-1', 'held-2'])
      await create(victim.url, { name, parameters: { ledger, blockBeforeAttempt: 2 } });
    await waitInProgress(victim.url, 'held-1');
    await waitInProgress(victim.url, 'held-2');
    const survivor = await start();
    await killHard(victim.child);
    for (const name of ['held-1', 'held-2']) {
      expect(await waitFinal(survivor.url, name)).toMatchObject({
        status: 'completed',
        attempt: 2,
      });
      const log = await (await fetch(`${survivor.url}/artifacts/${name}/log`)).text();
      expect(log).toContain('the replica holding it was lost');
    }
    const lines = readLedger(ledger);
    for (const name of ['held-1', 'held-2']) {
      expect(
        lines.filter(([, n]) => n === name).map(([what, , attempt]) => `${what} ${attempt}`),
      ).toEqual(['start 1', 'start 2', 'done 2']);
    }
  });

  it('keep every acknowledged build through a restart of PostgreSQL, answering 503 meanwhile', async () => {
    const { replicas, ledger } = await startCluster(2, { leaseMs: 10_000 });
    const [a, b] = replicas as [Replica, Replica];
    const names = Array.from({ length: 20 }, (_, i) => `q-${i}`);
    for (const [i, name] of names.entries())
      await create(i % 2 ? b.url : a.url, { name, parameters: { ledger, sleepMs: 50 } });
    await waitFinal(a.url, 'q-1');
    await database.halt('immediate');
    for (const url of [a.url, b.url]) {
      const listing = await fetch(`${url}/artifacts`);
      expect(listing.status).toBe(503);
      expect(listing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await listing.json()).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect((await fetch(`${url}/health`)).status).toBe(503);
      const refused = await fetch(`${url}/artifacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'during-outage' }),
      });
      expect(refused.status).toBe(503);
    }
    await database.resume();
    for (const [i, name] of names.entries()) {
      expect(await waitFinal((i % 2 ? a : b).url, name), name).toMatchObject({
        status: 'completed',
      });
    }
    const done = readLedger(ledger).filter(([what]) => what === 'done');
    for (const name of names)
      expect(
        done.filter(([, n]) => n === name),
        name,
      ).toHaveLength(1);
    expect((await fetch(`${a.url}/artifacts/during-outage/`)).status).toBe(404);
  });
});

/** The parent of a live process (Linux). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** A second replica on the same database, schema and folder as `holder`. */
async function startClusterPeer(dataDir: string, holder: Replica): Promise<Replica> {
  const args = holder.child.spawnargs.slice(2);
  const at = args.indexOf('--data');
  expect(args[at + 1]).toBe(dataDir);
  const extra = args.slice(args.indexOf('--database-url'));
  const replica = await spawnServer('worker-tool.mjs', dataDir, extra);
  cleanups.push(() => killHard(replica.child));
  return replica;
}

describe('a replica that cannot reach its database', () => {
  const serve = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(
      process.execPath,
      [
        join(import.meta.dirname, '..', '..', 'cli', 'dist', 'main.js'),
        'serve',
        join(import.meta.dirname, 'fixtures', 'noop-tool.mjs'),
        '--port',
        '0',
        ...args,
      ],
      { env: { ...process.env, ...env } },
    ).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('stops at start with one line naming what failed, and serves nothing', async () => {
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const unreachable = await serve(['--data', dataDir], {
      KILN_DATABASE_URL: 'postgres://kiln:secret@127.0.0.1:1/kiln',
    });
    expect(unreachable).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'kiln: cannot open the database postgres://kiln:***@127.0.0.1:1/kiln: connect ECONNREFUSED 127.0.0.1:1\n',
    });
    const noDatabase = await serve([
      '--data',
      dataDir,
      '--database-url',
      database.url.replace(/\/postgres$/, '/nope'),
    ]);
    expect(noDatabase).toMatchObject({ code: 1, stdout: '' });
    expect(noDatabase.stderr).toBe(
      `kiln: cannot open the database ${database.url.replace(/\/postgres$/, '/nope')}: database "nope" does not exist\n`,
    );
    const wrongKind = await serve(['--data', dataDir], { KILN_DATABASE_URL: 'mysql://db/kiln' });
    expect(wrongKind).toMatchObject({
      code: 1,
      stderr:
        "kiln: KILN_DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database, got 'mysql://db/kiln'\n",
    });
    const badSchema = await serve(['--data', dataDir, '--database-schema', 'Bad-Name'], {
      KILN_DATABASE_URL: database.url,
    });
    expect(badSchema.stderr).toMatch(/^kiln: --database-schema must be a lower-case identifier/);
  });
});
