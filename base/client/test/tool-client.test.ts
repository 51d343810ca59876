import { createHash } from 'node:crypto';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiln, isKilnApiError, type ArtifactSummary, type ToolClient } from '../src/index.js';
import { Fixture, makeFifo, startFixture, tempDir, type FixtureServer } from './support/servers.js';

let server: FixtureServer;
let tool: ToolClient;
let dir: string;

beforeAll(async () => {
  server = await startFixture(Fixture.Echo);
  tool = Kiln.direct(server.url).container();
  dir = await tempDir('tool-client');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('ToolClient against a real core server', () => {
  it('describes the container, its health and its OpenAPI document', async () => {
    const description = await tool.describe();
    expect(description).toMatchObject({
      kind: 'tool',
      api: 'kiln/v1',
      name: 'echo',
      artifactType: 'text',
    });
    expect(description.inputFiles.map((f) => f.name)).toEqual(['input']);
    expect((await tool.health()).status).toBe('ok');
    expect((await tool.openapi())['openapi']).toMatch(/^3\.1/);
  });

  it('creates from JSON, waits, and reads record, status, parameters, log and metrics', async () => {
    const created = await tool.create({ name: 'json-1', parameters: { message: 'hi', steps: 2 } });
    expect(created).toMatchObject({ name: 'json-1' });
    const done = await tool.wait('json-1');
    expect(done.status).toBe('completed');
    const record = await tool.get('json-1');
    expect(record.files).toEqual([expect.objectContaining({ path: 'message.txt', size: 3 })]);
    expect(record.digest).toMatch(/^[0-9a-f]{64}$/);
    expect((await tool.status('json-1')).status).toBe('completed');
    expect(await tool.inputParameters('json-1')).toMatchObject({
      message: 'hi',
      steps: 2,
      files: 1,
      block: false,
    });
    expect(await tool.log('json-1')).toContain('step 1: hi\n');
    expect(await tool.log('json-1', { offset: 5 })).toBe((await tool.log('json-1')).slice(5));
    const metrics = await tool.metrics('json-1');
    expect(metrics.map((m) => [m.name, m.kind]).sort()).toEqual([
      ['loss', 'series'],
      ['summary', 'report'],
    ]);
    expect(await tool.metric('json-1', 'loss', 'values')).toEqual([
      expect.objectContaining({ step: 0, value: 1 }),
      expect.objectContaining({ step: 1, value: 0.5 }),
    ]);
    expect(await tool.metric('json-1', 'loss', 'latest')).toMatchObject({ step: 1, value: 0.5 });
    expect(await tool.metric('json-1', 'loss', 'csv')).toMatch(/0\.5/);
    expect(await tool.metric('json-1', 'loss', 'svg')).toMatch(/<svg/);
    expect(await tool.metric('json-1', 'summary', 'json')).toEqual({ message: 'hi', steps: 2 });
  });

  it('lists newest first and filters by status', async () => {
    await tool.create({ name: 'failing', parameters: { fail: true, steps: 0 } });
    const failed = await tool.wait('failing');
    expect(failed).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('asked to fail'),
    });
    const all = await tool.list();
    expect(all.map((s) => s.name)).toEqual(expect.arrayContaining(['json-1', 'failing']));
    expect(all.findIndex((s) => s.name === 'failing')).toBeLessThan(
      all.findIndex((s) => s.name === 'json-1'),
    );
    expect((await tool.list({ status: 'failed' })).map((s) => s.name)).toContain('failing');
    expect((await tool.list({ status: 'failed' })).map((s) => s.name)).not.toContain('json-1');
  });

  it('uploads input files as streamed multipart, from a path and from a stream', async () => {
    const path = join(dir, 'input.txt');
    await writeFile(path, 'from a path\n');
    const uploads: number[] = [];
    await tool.create({
      name: 'file-path',
      files: { input: path },
      onUploadProgress: (p) => uploads.push(p.transferred),
    });
    expect(uploads.at(-1)).toBeGreaterThan(12);
    expect((await tool.wait('file-path')).status).toBe('completed');
    await tool.create({
      name: 'file-stream',
      parameters: { files: 0 },
      files: {
        input: { stream: Readable.from([Buffer.from('from a stream\n')]), filename: 'in.txt' },
      },
    });
    expect((await tool.wait('file-stream')).status).toBe('completed');
    const [entry] = await tool.inputFiles('file-stream');
    expect(entry).toEqual({
      name: 'input',
      filename: 'in.txt',
      size: 14,
      sha256: createHash('sha256').update('from a stream\n').digest('hex'),
    });
    expect((await tool.inputFiles('file-path'))[0]).toMatchObject({
      filename: 'input.txt',
      size: 12,
    });
    expect((await tool.get('file-stream')).files.map((f) => f.path)).toEqual(['input.bin']);
  });

  it('waits on several artifacts at once', async () => {
    const names = ['many-1', 'many-2', 'many-3'];
    for (const name of names) await tool.create({ name, parameters: { message: name } });
    const finals = await Promise.all(names.map((name) => tool.wait(name)));
    expect(finals.map((s) => [s.name, s.status])).toEqual(names.map((name) => [name, 'completed']));
  });

  it('reuses a cached artifact', async () => {
    await tool.create({ name: 'cache-a', parameters: { message: 'cache me' } });
    await tool.wait('cache-a');
    const cached = await tool.create({
      name: 'cache-b',
      parameters: { message: 'cache me' },
      cache: true,
    });
    expect(cached).toMatchObject({ status: 'completed', cached: true, cachedFrom: 'cache-a' });
  });

  it('carries problem documents: validation, conflicts, missing artifacts', async () => {
    const invalid = await failure(tool.create({ parameters: { steps: -1, bogus: true } }));
    expect(isKilnApiError(invalid)).toBe(true);
    if (!isKilnApiError(invalid)) return;
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
    expect(invalid.problem.errors?.map((e) => e.path).sort()).toEqual(['/bogus', '/steps']);
    expect(invalid.request?.method).toBe('POST');

    const exists = await failure(tool.create({ name: 'json-1' }));
    expect(exists).toMatchObject({ code: 'ARTIFACT_EXISTS', status: 409 });
    const missing = await failure(tool.get('no-such'));
    expect(missing).toMatchObject({
      code: 'ARTIFACT_NOT_FOUND',
      status: 404,
      problem: expect.objectContaining({ type: '/problems/artifact-not-found' }),
    });
    const final = await failure(tool.cancel('json-1'));
    expect(final).toMatchObject({ status: 409 });
    const unready = await failure(tool.download('failing', join(dir, 'never')));
    expect(unready).toMatchObject({ status: 409 });
  });

  it('refuses bad names and paths before any request', async () => {
    const calls: (() => Promise<unknown>)[] = [
      () => tool.get('../etc'),
      () => tool.status('.'),
      () => tool.create({ name: 'a b' }),
      () => tool.metric('json-1', '..', 'values'),
    ];
    for (const call of calls) {
      const error = await failure(Promise.resolve().then(call));
      expect(isKilnApiError(error) && error.request).toBeUndefined();
      expect(error).toMatchObject({ status: 400 });
    }
  });

  it('follows a log live until the build ends', async () => {
    const gate = makeFifo(dir, 'gate-follow');
    await tool.create({ name: 'follow', parameters: { steps: 1, gate } });
    const lines: string[] = [];
    for await (const line of tool.followLog('follow')) {
      lines.push(line);
      // The build is parked at the gate until this line has been seen: the log is live.
      if (line === 'waiting at the gate') await writeFile(gate, 'go');
    }
    expect(lines).toEqual(['step 0: hello', 'waiting at the gate', 'through the gate', 'done']);
    expect(lines.findIndex((l) => l.includes('through the gate'))).toBeGreaterThan(
      lines.findIndex((l) => l.includes('waiting at the gate')),
    );
    expect((await tool.status('follow')).status).toBe('completed');
  });

  it('iterates /events and reports progress while waiting', async () => {
    const gate = makeFifo(dir, 'gate-events');
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const collecting = (async () => {
      const statuses: string[] = [];
      for await (const event of tool.events({ onOpen: opened })) {
        if (event.artifact.name !== 'evented') continue;
        statuses.push(event.artifact.status);
        if (event.artifact.status === 'completed') break;
      }
      return statuses;
    })();
    await open;
    await tool.create({ name: 'evented', parameters: { steps: 2, gate } });
    const seen: ArtifactSummary[] = [];
    const done = await tool.wait('evented', {
      onProgress: (summary) => {
        // The first report comes once the wait watches /events: only then may the build go on.
        if (seen.length === 0) void writeFile(gate, 'go');
        seen.push(summary);
      },
    });
    expect(done.status).toBe('completed');
    expect(await collecting).toEqual(expect.arrayContaining(['in-progress', 'completed']));
    expect(seen.map((s) => s.message)).toContain('through the gate');
    expect(seen.at(-1)?.status).toBe('completed');
  });

  it('cancels a running build and deletes artifacts', async () => {
    await tool.create({ name: 'blocked', parameters: { block: true, steps: 1 } });
    const timedOut = await failure(tool.wait('blocked', { timeout: 300 }));
    expect(timedOut).toMatchObject({ code: 'WAIT_TIMEOUT' });
    await tool.cancel('blocked');
    expect((await tool.wait('blocked')).status).toBe('cancelled');
    await tool.delete('blocked');
    expect(await failure(tool.status('blocked'))).toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
  });

  it('aborts a call with its signal and bounds it with its timeout', async () => {
    await tool.create({ name: 'slow', parameters: { block: true, steps: 0 } });
    const controller = new AbortController();
    const waiting = tool.wait('slow', { signal: controller.signal });
    controller.abort(new Error('enough'));
    expect(await failure(waiting)).toMatchObject({ message: 'enough' });
    const longPoll = tool.http.json('GET', 'artifacts/slow/status', {
      query: { wait: 10 },
      call: { timeout: 200 },
    });
    expect(await failure(longPoll)).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 504 });
    const following = (async () => {
      for await (const line of tool.followLog('slow', { timeout: 300 })) void line;
    })();
    expect(await failure(following)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    const listening = (async () => {
      for await (const event of tool.events({ timeout: 300 })) void event;
    })();
    expect(await failure(listening)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await tool.delete('slow');
  });
});
