import type { ArtifactRecord, ArtifactSummary, HealthResponse } from '@kiln/api';
import { on } from 'node:events';
import { readFileSync, watch } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectingLogger,
  create,
  killHard,
  spawnServer,
  startServer,
  tempDir,
  waitFinal,
  waitForSummary,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratch(): Promise<string> {
  const dir = await tempDir('kiln-workers-');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function server(options: Parameters<typeof startServer>[1] = {}) {
  const started = await startServer('worker-tool.mjs', options);
  cleanups.push(() => started.stop());
  return started;
}

async function health(base: string): Promise<{ status: number; body: HealthResponse }> {
  const response = await fetch(`${base}/health`);
  return { status: response.status, body: (await response.json()) as HealthResponse };
}

async function buildInfo(base: string, name: string): Promise<{ pid: number; gpu: string }> {
  return (await (await fetch(`${base}/artifacts/${name}/data/build.json`)).json()) as {
    pid: number;
    gpu: string;
  };
}

/** The ledger's lines as [what, name, attempt]. */
async function ledgerOf(path: string): Promise<[string, string, number][]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [what = '', name = '', attempt = '0'] = line.split(' ');
      return [what, name, Number(attempt)];
    });
}

const started = (summary: ArtifactSummary): boolean => summary.message === 'started';

describe('a pool of workers', () => {
  it('runs N builds at once, each in its own mule: they all pass a barrier of N', async () => {
    const dir = await scratch();
    const { url } = await server({ workers: 3 });
    expect((await health(url)).body).toMatchObject({ status: 'ok', workers: 3, running: 0 });
    const barrier = join(dir, 'barrier');
    const names = ['b1', 'b2', 'b3'];
    for (const name of names) await create(url, { name, parameters: { barrier, parties: 3 } });
    // A build waits at the barrier until all three arrived: one at a time would never finish.
    for (const name of names) expect((await waitFinal(url, name)).status).toBe('completed');
    const pids = await Promise.all(names.map(async (name) => (await buildInfo(url, name)).pid));
    expect(new Set(pids).size).toBe(3);
  });

  it('starts builds in creation order (FIFO), with several workers too', async () => {
    const { url } = await server({ workers: 2 });
    const names = Array.from({ length: 8 }, (_, i) => `fifo-${i}`);
    for (const name of names) await create(url, { name });
    const finals = await Promise.all(names.map((name) => waitFinal(url, name)));
    expect(finals.every((s) => s.status === 'completed')).toBe(true);
    const startedAt = finals.map((s) => s.startedAt!);
    expect([...startedAt].sort()).toEqual(startedAt);
  });

  it('cancels one of several running builds; the others complete', async () => {
    const dir = await scratch();
    const { url } = await server({ workers: 3 });
    const release = join(dir, 'release');
    for (const name of ['keep-1', 'victim', 'keep-2'])
      await create(url, { name, parameters: { release } });
    for (const name of ['keep-1', 'victim', 'keep-2']) await waitForSummary(url, name, started);
    const cancelled = await fetch(`${url}/artifacts/victim/cancel`, { method: 'POST' });
    expect(((await cancelled.json()) as ArtifactSummary).status).toBe('cancelled');
    expect((await health(url)).body.running).toBe(2);
    await writeFile(release, 'go');
    expect((await waitFinal(url, 'keep-1')).status).toBe('completed');
    expect((await waitFinal(url, 'keep-2')).status).toBe('completed');
    expect(await (await fetch(`${url}/artifacts/victim/log`)).text()).toContain(
      'the build was cancelled',
    );
  });

  it('fails only the build whose mule crashed; the others go on, and health stays 200', async () => {
    const dir = await scratch();
    const { url } = await server({ workers: 3 });
    const barrier = join(dir, 'barrier');
    const release = join(dir, 'release');
    await create(url, { name: 'steady-1', parameters: { barrier, parties: 3, release } });
    await create(url, { name: 'crasher', parameters: { barrier, parties: 3, crash: true } });
    await create(url, { name: 'steady-2', parameters: { barrier, parties: 3, release } });
    expect(await waitFinal(url, 'crasher')).toMatchObject({
      status: 'failed',
      error: 'the mule exited with code 3 during the build',
    });
    expect(await health(url)).toMatchObject({ status: 200, body: { status: 'ok', running: 2 } });
    await writeFile(release, 'go');
    for (const name of ['steady-1', 'steady-2'])
      expect((await waitFinal(url, name)).status).toBe('completed');
    await create(url, { name: 'after-crash' });
    expect((await waitFinal(url, 'after-crash')).status).toBe('completed');
  });

  it('gives each mule its own GPU, in its environment, its log and its record', async () => {
    const dir = await scratch();
    const { url } = await server({ gpus: [3, 5] });
    expect((await health(url)).body.workers).toBe(2);
    const barrier = join(dir, 'barrier');
    for (const name of ['g1', 'g2'])
      await create(url, { name, parameters: { barrier, parties: 2 } });
    const seen = [];
    for (const name of ['g1', 'g2']) {
      expect((await waitFinal(url, name)).status).toBe('completed');
      const { gpu } = await buildInfo(url, name);
      const record = (await (await fetch(`${url}/artifacts/${name}/`)).json()) as ArtifactRecord;
      expect(String(record.gpu)).toBe(gpu);
      expect(await (await fetch(`${url}/artifacts/${name}/log`)).text()).toContain(
        `builds on GPU ${gpu} (CUDA_VISIBLE_DEVICES=${gpu})`,
      );
      seen.push(gpu);
    }
    expect(seen.sort()).toEqual(['3', '5']);
  });
});

describe('on-demand mules', () => {
  it('starts no mule until work arrives, retires it when idle, and starts a new one', async () => {
    const logs = collectingLogger();
    // Far longer than a no-op build takes, so the mule retires for being idle.
    const { url } = await server({ muleIdleMs: 300, logger: logs.logger });
    expect(logs.lines.some((line) => line.message === 'mule started')).toBe(false);
    expect(await health(url)).toMatchObject({ status: 200, body: { status: 'ok', workers: 1 } });

    await create(url, { name: 'first' });
    expect((await waitFinal(url, 'first')).status).toBe('completed');
    const { pid } = await buildInfo(url, 'first');
    await logs.waitFor((line) => line.message === 'mule retired' && line['pid'] === pid);
    // Retired means gone: the container is one process again, and still healthy.
    expect(() => process.kill(pid, 0)).toThrow();
    expect((await health(url)).status).toBe(200);

    await create(url, { name: 'second' });
    expect((await waitFinal(url, 'second')).status).toBe('completed');
    expect((await buildInfo(url, 'second')).pid).not.toBe(pid);
    expect(
      logs.lines.find((line) => line.message === 'mule retired' && line['pid'] === pid)?.['reason'],
    ).toBe('idle');
  });

  it('lets a mule go as soon as a build longer than the idle spell ends, before recording it', async () => {
    const logs = collectingLogger();
    const { url } = await server({ muleIdleMs: 100, logger: logs.logger });
    await create(url, { name: 'long', parameters: { sleepMs: 300 } });
    expect((await waitFinal(url, 'long')).status).toBe('completed');
    const { pid } = await buildInfo(url, 'long');
    // Completed means its mule is gone already: a download started now has all the memory.
    expect(() => process.kill(pid, 0)).toThrow();
    expect(
      logs.lines.find((line) => line.message === 'mule retired' && line['pid'] === pid),
    ).toMatchObject({ reason: 'long-build', builds: 1 });
  });

  it('keeps the mule through long builds that wait in the queue, letting it go after the last', async () => {
    const logs = collectingLogger();
    const { url } = await server({ muleIdleMs: 100, logger: logs.logger });
    const names = ['sweep-1', 'sweep-2', 'sweep-3'];
    await Promise.all(names.map((name) => create(url, { name, parameters: { sleepMs: 300 } })));
    for (const name of names) expect((await waitFinal(url, name)).status).toBe('completed');
    const pids = await Promise.all(names.map(async (name) => (await buildInfo(url, name)).pid));
    expect(new Set(pids).size).toBe(1);
    expect(
      logs.lines.filter((line) => line.message === 'mule retired' && line['pid'] === pids[0]),
    ).toEqual([expect.objectContaining({ reason: 'long-build', builds: 3 })]);
  });

  it('keeps mules with muleIdleMs 0', async () => {
    const logs = collectingLogger();
    const { url } = await server({ muleIdleMs: 0, logger: logs.logger });
    await create(url, { name: 'kept-1', parameters: { sleepMs: 50 } });
    expect((await waitFinal(url, 'kept-1')).status).toBe('completed');
    await create(url, { name: 'kept-2' });
    expect((await waitFinal(url, 'kept-2')).status).toBe('completed');
    expect((await buildInfo(url, 'kept-2')).pid).toBe((await buildInfo(url, 'kept-1')).pid);
    expect(logs.lines.filter((line) => line.message === 'mule retired')).toEqual([]);
  });

  it('retries a mule that dies during its start, without a 503', async () => {
    const dir = await scratch();
    const counter = join(dir, 'failing-starts');
    await writeFile(counter, '2');
    process.env['KILN_TEST_FAILING_STARTS'] = counter;
    cleanups.push(async () => void delete process.env['KILN_TEST_FAILING_STARTS']);
    const logs = collectingLogger();
    const { url } = await server({ logger: logs.logger });
    await create(url, { name: 'patient' });
    expect((await waitFinal(url, 'patient')).status).toBe('completed');
    const failures = logs.lines.filter(
      (line) => line.message === 'a mule failed to start; trying again',
    );
    expect(failures).toHaveLength(2);
    expect(String(failures[0]!['error'])).toMatch(
      /the mule exited with code 7 before it was ready; it printed: dying during start on purpose/,
    );
    expect((await health(url)).status).toBe(200);
  });

  it('answers 503 while no mule can be started at all, keeps the work queued, and recovers', async () => {
    const dir = await scratch();
    const counter = join(dir, 'failing-starts');
    await writeFile(counter, '1000');
    process.env['KILN_TEST_FAILING_STARTS'] = counter;
    cleanups.push(async () => void delete process.env['KILN_TEST_FAILING_STARTS']);
    const logs = collectingLogger();
    const { url } = await server({ logger: logs.logger });
    await create(url, { name: 'waiting' });
    await logs.waitFor((line) => line.message === 'a mule failed to start; trying again', 3);
    const unhealthy = await health(url);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body).toMatchObject({ status: 'unavailable', queued: 1, workers: 1 });
    expect(unhealthy.body.reason).toMatch(/no build process could be started/);
    // Creating still works: the work waits in the queue.
    await create(url, { name: 'also-waiting' });
    await rm(counter);
    expect((await waitFinal(url, 'waiting')).status).toBe('completed');
    expect((await waitFinal(url, 'also-waiting')).status).toBe('completed');
    expect((await health(url)).status).toBe(200);
  });
});

/** Resolves once the file at `path` holds a line matching `pattern` (fs.watch, no polling). */
async function untilLine(path: string, pattern: RegExp): Promise<string> {
  const find = async (): Promise<string | undefined> =>
    (await readFile(path, 'utf8').catch(() => '')).split('\n').find((line) => pattern.test(line));
  const watcher = watch(dirname(path));
  // Changes are queued from here on: one that lands while the file is being read is not lost
  // (a listener attached after each read missed it, and a spinning build writes only once).
  const changes = on(watcher, 'change');
  try {
    for (;;) {
      const found = await find();
      if (found) return found;
      await changes.next();
    }
  } finally {
    await changes.return?.();
    watcher.close();
  }
}

/** Running and not a zombie (an orphan killed by the next server may wait for init to reap it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

describe('kill -9 of the server with several builds in flight', () => {
  it('runs each again with attempt + 1, and none completes twice', async () => {
    const dir = await scratch();
    const dataDir = join(dir, 'data');
    const ledger = join(dir, 'ledger.txt');
    const inFlight = ['fly-1', 'fly-2', 'fly-3'];
    let { url, child } = await spawnServer('worker-tool.mjs', dataDir, ['--workers', '3']);
    cleanups.push(() => killHard(child));
    for (const name of inFlight)
      await create(url, { name, parameters: { ledger, blockBeforeAttempt: 2 } });
    for (const name of ['later-1', 'later-2']) await create(url, { name, parameters: { ledger } });
    for (const name of inFlight) await waitForSummary(url, name, started);
    await killHard(child);

    ({ url, child } = await spawnServer('worker-tool.mjs', dataDir, ['--workers', '3']));
    cleanups.push(() => killHard(child));
    for (const name of inFlight)
      expect(await waitFinal(url, name)).toMatchObject({ status: 'completed', attempt: 2 });
    for (const name of ['later-1', 'later-2'])
      expect(await waitFinal(url, name)).toMatchObject({ status: 'completed', attempt: 1 });

    const lines = await ledgerOf(ledger);
    for (const name of [...inFlight, 'later-1', 'later-2']) {
      const done = lines.filter(([what, who]) => what === 'done' && who === name);
      expect(done, `${name} completes once`).toHaveLength(1);
    }
    for (const name of inFlight) {
      expect(lines.filter(([, who]) => who === name).map(([what, , n]) => `${what}@${n}`)).toEqual([
        'start@1',
        'start@2',
        'done@2',
      ]);
    }
  });

  it('kills a mule the dead server left spinning before it builds that artifact again', async () => {
    const dir = await scratch();
    const dataDir = join(dir, 'data');
    const ledger = join(dir, 'ledger.txt');
    let { url, child } = await spawnServer('worker-tool.mjs', dataDir);
    cleanups.push(() => killHard(child));
    await create(url, { name: 'spinner', parameters: { ledger, spin: true } });
    const pid = Number((await untilLine(ledger, /^start spinner 1 /)).split(' ')[3]);
    // Should the server fail to kill it, the test does: a spinning process must not outlive it.
    cleanups.push(async () => void (running(pid) && process.kill(pid, 'SIGKILL')));
    await killHard(child);
    // Its event loop never turns, so it cannot see that its server is gone.
    expect(running(pid)).toBe(true);

    ({ url, child } = await spawnServer('worker-tool.mjs', dataDir));
    cleanups.push(() => killHard(child));
    expect(running(pid)).toBe(false);
    expect(await waitFinal(url, 'spinner')).toMatchObject({ status: 'completed', attempt: 2 });
    expect((await ledgerOf(ledger)).map(([what, , n]) => `${what}@${n}`)).toEqual([
      'start@1',
      'start@2',
      'done@2',
    ]);
  });
});
