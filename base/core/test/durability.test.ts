import type { ArtifactSummary } from '@kiln/api';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  create,
  killHard,
  spawnServer,
  startServer,
  tempDir,
  waitFinal,
  waitInProgress,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function spawnTracked(dataDir: string): Promise<string> {
  const { url, child } = await spawnServer('control-tool.mjs', dataDir);
  cleanups.push(() => killHard(child));
  return url;
}

describe('kill -9 of the server', () => {
  it('keeps the queue: the running build runs again, queued ones are built after restart', async () => {
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { url, child } = await spawnServer('control-tool.mjs', dataDir);
    await create(url, { name: 'running', parameters: { mode: 'block', blockBeforeAttempt: 2 } });
    for (const name of ['queued-1', 'queued-2', 'queued-3']) await create(url, { name });
    await waitInProgress(url, 'running', 1);
    await killHard(child);

    const restarted = await spawnTracked(dataDir);
    const running = await waitFinal(restarted, 'running');
    expect(running).toMatchObject({ status: 'completed', attempt: 2 });
    expect(await (await fetch(`${restarted}/artifacts/running/data`)).text()).toBe('attempt 2\n');
    expect(await (await fetch(`${restarted}/artifacts/running/log`)).text()).toContain(
      'container restarted during the build',
    );
    for (const name of ['queued-1', 'queued-2', 'queued-3']) {
      expect(await waitFinal(restarted, name)).toMatchObject({ status: 'completed', attempt: 1 });
    }
  });

  it('fails an artifact with a clear reason once three attempts were interrupted', async () => {
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    let { url, child } = await spawnServer('control-tool.mjs', dataDir);
    await create(url, { name: 'doomed', parameters: { mode: 'block' } });
    for (const attempt of [1, 2, 3]) {
      await waitInProgress(url, 'doomed', attempt);
      await killHard(child);
      ({ url, child } = await spawnServer('control-tool.mjs', dataDir));
    }
    cleanups.push(() => killHard(child));
    const summary = await waitFinal(url, 'doomed');
    expect(summary.status).toBe('failed');
    expect(summary.attempt).toBe(3);
    expect(summary.error).toMatch(/interrupted by a restart of its container 3 times/);
  });
});

describe('a graceful stop', () => {
  it('exits 0 on SIGTERM and builds the interrupted artifact again at the next start', async () => {
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { url, child } = await spawnServer('control-tool.mjs', dataDir);
    await create(url, {
      name: 'interrupted',
      parameters: { mode: 'block', blockBeforeAttempt: 2 },
    });
    await waitInProgress(url, 'interrupted', 1);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const restarted = await spawnTracked(dataDir);
    expect(await waitFinal(restarted, 'interrupted')).toMatchObject({
      status: 'completed',
      attempt: 2,
    });
  });
});

describe('the mule', () => {
  it('fails a build whose mule crashes, with the reason in the log, and starts a new mule', async () => {
    const server = await startServer('control-tool.mjs');
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'crasher', parameters: { mode: 'crash' } });
    await create(server.url, { name: 'after-crash' });
    const crashed = await waitFinal(server.url, 'crasher');
    expect(crashed.status).toBe('failed');
    expect(crashed.error).toBe('the mule exited with code 3 during the build');
    expect(await (await fetch(`${server.url}/artifacts/crasher/log`)).text()).toContain(
      'exited with code 3',
    );
    expect((await waitFinal(server.url, 'after-crash')).status).toBe('completed');
  });

  it('fails a build that throws, keeping the stack in the log', async () => {
    const server = await startServer('control-tool.mjs');
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'thrower', parameters: { mode: 'throw' } });
    expect(await waitFinal(server.url, 'thrower')).toMatchObject({
      status: 'failed',
      error: 'the build threw on purpose',
    });
    expect(await (await fetch(`${server.url}/artifacts/thrower/log`)).text()).toMatch(
      /Error: the build threw on purpose\n\s+at /,
    );
  });

  it('recycles the mule after N builds without losing any', async () => {
    const server = await startServer('control-tool.mjs', { maxBuildsPerMule: 2 });
    cleanups.push(() => server.stop());
    const names = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const name of names) await create(server.url, { name });
    for (const name of names) expect((await waitFinal(server.url, name)).status).toBe('completed');
  });
});

describe('time limits', () => {
  it("stops a build that outlives the tool's timeoutMs and fails it, saying so in the log", async () => {
    const server = await startServer('timeout-tool.mjs');
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'too-slow' });
    expect(await waitFinal(server.url, 'too-slow')).toMatchObject({
      status: 'failed',
      error: 'the build timed out after 300 ms',
    });
    const log = await (await fetch(`${server.url}/artifacts/too-slow/log`)).text();
    expect(log).toContain('waiting for the time limit');
    expect(log).toContain('kiln: the build timed out after 300 ms');
  });
});

describe('cancel', () => {
  it('cancels a running build through its abort signal and keeps record and log', async () => {
    const server = await startServer('control-tool.mjs');
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'blocked', parameters: { mode: 'block' } });
    await create(server.url, { name: 'next' });
    await waitInProgress(server.url, 'blocked');
    const response = await fetch(`${server.url}/artifacts/blocked/cancel`, { method: 'POST' });
    expect(response.status).toBe(202);
    expect(((await response.json()) as ArtifactSummary).status).toBe('cancelled');
    expect(await (await fetch(`${server.url}/artifacts/blocked/log`)).text()).toContain(
      'the build was cancelled',
    );
    expect((await fetch(`${server.url}/artifacts/blocked/data`)).status).toBe(409);
    expect((await waitFinal(server.url, 'next')).status).toBe('completed');
    expect((await fetch(`${server.url}/artifacts/blocked/cancel`, { method: 'POST' })).status).toBe(
      409,
    );
  });

  it('kills a build that ignores its signal and SIGTERM, then builds the next', async () => {
    const server = await startServer('control-tool.mjs', { cancelGraceMs: 200 });
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'stubborn', parameters: { mode: 'stubborn' } });
    await create(server.url, { name: 'after-stubborn' });
    await waitInProgress(server.url, 'stubborn');
    const response = await fetch(`${server.url}/artifacts/stubborn/cancel`, { method: 'POST' });
    expect(((await response.json()) as ArtifactSummary).status).toBe('cancelled');
    expect((await waitFinal(server.url, 'after-stubborn')).status).toBe('completed');
  });

  it('cancels a queued build at once, and DELETE of a running build answers once it is gone', async () => {
    const server = await startServer('control-tool.mjs');
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'blocking', parameters: { mode: 'block' } });
    await create(server.url, { name: 'waiting' });
    await waitInProgress(server.url, 'blocking');
    const cancelled = await fetch(`${server.url}/artifacts/waiting/cancel`, { method: 'POST' });
    expect((await cancelled.json()) as ArtifactSummary).toMatchObject({
      status: 'cancelled',
      startedAt: null,
    });
    expect((await fetch(`${server.url}/artifacts/blocking/`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await fetch(`${server.url}/artifacts/blocking/`)).status).toBe(404);
    await create(server.url, { name: 'after-delete' });
    expect((await waitFinal(server.url, 'after-delete')).status).toBe('completed');
  });
});

describe('load', () => {
  it('takes 200 concurrent creates, all distinct, all built', async () => {
    const server = await startServer('noop-tool.mjs');
    cleanups.push(() => server.stop());
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => create(server.url, { name: `c-${i}` })),
    );
    expect(new Set(created.map((s) => s.name)).size).toBe(200);
    const finals = await Promise.all(created.map((s) => waitFinal(server.url, s.name)));
    expect(finals.every((s) => s.status === 'completed')).toBe(true);
    const listed = (await (
      await fetch(`${server.url}/artifacts?status=completed`)
    ).json()) as ArtifactSummary[];
    expect(listed).toHaveLength(200);
    // A completed artifact with no files serves an empty zip (just the end-of-directory record).
    const empty = await fetch(`${server.url}/artifacts/c-0/data`);
    expect(empty.headers.get('content-type')).toBe('application/zip');
    expect(
      Buffer.from(await empty.arrayBuffer())
        .subarray(0, 4)
        .toString('binary'),
    ).toBe('PK\u0005\u0006');
  });

  it('gives exactly one 202 when 20 requests race for the same name', async () => {
    const server = await startServer('noop-tool.mjs');
    cleanups.push(() => server.stop());
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${server.url}/artifacts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"same"}',
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  });
});

describe('command builders', () => {
  it('runs an executable with the env and line protocol contract', async () => {
    const server = await startServer('command-tool.mjs');
    cleanups.push(() => server.stop());
    const form = new FormData();
    form.set('name', 'scripted');
    form.set('parameters', JSON.stringify({ word: 'shell' }));
    form.set('input-text', new Blob(['from upload\n']), 'in.txt');
    expect((await fetch(`${server.url}/artifacts`, { method: 'POST', body: form })).status).toBe(
      202,
    );
    expect((await waitFinal(server.url, 'scripted')).status).toBe('completed');
    expect(
      await (await fetch(`${server.url}/artifacts/scripted/data/parameters.json`)).json(),
    ).toEqual({ word: 'shell', exitCode: 0 });
    expect(await (await fetch(`${server.url}/artifacts/scripted/data/input.txt`)).text()).toBe(
      'from upload\n',
    );
    const values = (await (
      await fetch(`${server.url}/artifacts/scripted/metrics/score/values`)
    ).json()) as { step: number; value: number }[];
    expect(values.map((p) => [p.step, p.value])).toEqual([
      [1, 0.25],
      [2, 0.75],
    ]);
    expect(
      await (await fetch(`${server.url}/artifacts/scripted/metrics/info/json`)).json(),
    ).toEqual({ shell: true });
    const log = await (await fetch(`${server.url}/artifacts/scripted/log`)).text();
    expect(log).toContain('parameters: {');
    expect(log).toContain('to stderr');
    expect(log).not.toContain('kiln:metric');
  });

  it('fails when the command exits non-zero', async () => {
    const server = await startServer('command-tool.mjs');
    cleanups.push(() => server.stop());
    await create(server.url, { name: 'exit-3', parameters: { exitCode: 3 } });
    expect(await waitFinal(server.url, 'exit-3')).toMatchObject({
      status: 'failed',
      error: 'command exited with code 3',
    });
  });
});
