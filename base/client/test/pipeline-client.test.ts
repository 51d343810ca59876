import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiln, type PipelineClient } from '../src/index.js';
import { Fixture, startFixture, tempDir, type FixtureServer } from './support/servers.js';

let echo: FixtureServer;
let server: FixtureServer;
let pipeline: PipelineClient;
let dir: string;

beforeAll(async () => {
  echo = await startFixture(Fixture.Echo);
  server = await startFixture(Fixture.Pipeline, {
    services: [{ name: 'echo', address: echo.url }],
  });
  pipeline = Kiln.direct(server.url).pipeline();
  dir = await tempDir('pipeline-client');
});
afterAll(async () => {
  await server?.close();
  await echo?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('PipelineClient against a real core server', () => {
  it('reads the task, the containers and the artifacts', async () => {
    expect((await pipeline.describe()).kind).toBe('pipeline');
    expect((await pipeline.task()).name).toBe('org.kiln.test.echo');
    expect(await pipeline.containers()).toEqual([
      {
        name: 'echo',
        url: 'http://echo:8080',
        category: 'data',
        description: 'Writes its message into data files',
        artifactType: 'text',
        healthy: true,
      },
    ]);
    expect(await pipeline.artifacts()).toEqual([]);
  });

  it('runs, waits, lists runs and steps, reads the log and downloads the run document', async () => {
    const run = await pipeline.run({ name: 'run-1', parameters: { message: 'piped' } });
    expect(run.name).toBe('run-1');
    const progress: string[] = [];
    const done = await pipeline.wait('run-1', { onProgress: (s) => progress.push(s.status) });
    expect(done.status).toBe('completed');
    expect(progress.at(-1)).toBe('completed');
    expect((await pipeline.runs()).map((r) => r.name)).toEqual(['run-1']);
    expect(await pipeline.runs({ status: 'failed' })).toEqual([]);
    expect((await pipeline.steps('run-1')).map((s) => [s.step, s.status])).toEqual([
      ['prepare', 'completed'],
      ['echo', 'completed'],
    ]);
    expect(await pipeline.log('run-1')).toContain('[echo] step 2: piped');
    const lines: string[] = [];
    for await (const line of pipeline.followLog('run-1')) lines.push(line);
    expect(lines[0]).toBe("run 'run-1' of pipeline 'echo-pipeline' 1.0.0, attempt 1");
    expect(lines).toContain('[prepare] echo: run-1-prepare');
    expect(lines).toContain('[echo] done');
    const result = await pipeline.download('run-1', join(dir, 'run.json'));
    expect(JSON.parse(await readFile(result.path, 'utf8'))).toMatchObject({
      figures: { accuracy: 1, message: 'piped' },
    });
    expect(await pipeline.dataJson('run-1', 'run.json')).toMatchObject({
      artifacts: { echo: 'http://echo:8080/artifacts/run-1-echo/' },
    });
    expect((await pipeline.artifacts()).map((a) => `${a.container}/${a.name}`).sort()).toEqual([
      'echo/run-1-echo',
      'echo/run-1-prepare',
    ]);
  });

  it('reads a sweep’s variants, and null for a run without one', async () => {
    expect(await pipeline.variants('run-1')).toBeNull();
    await pipeline.run({
      name: 'swept',
      parameters: {
        variants: [
          { name: 'two', steps: 2 },
          { name: 'five', steps: 5 },
          { name: 'broken', fail: true },
        ],
      },
    });
    expect((await pipeline.wait('swept')).status).toBe('completed');
    const variants = await pipeline.variants('swept');
    expect(variants).toMatchObject({
      metric: 'steps',
      goal: 'max',
      best: 'five',
      failed: ['broken'],
    });
    expect(variants!.results.map((v) => [v.name, v.status, v.figures])).toEqual([
      ['two', 'completed', { steps: 2 }],
      ['five', 'completed', { steps: 5 }],
      ['broken', 'failed', null],
    ]);
    expect(variants!.results[1]!.artifacts).toEqual({
      echo: 'http://echo:8080/artifacts/swept-echo-five/',
    });
    expect((await pipeline.steps('swept')).map((s) => [s.step, s.variant ?? null])).toEqual([
      ['prepare', null],
      ['echo-two', 'two'],
      ['echo-five', 'five'],
      ['echo-broken', 'broken'],
    ]);
  });

  it('reports a failed run, and cancels and deletes runs', async () => {
    await pipeline.run({ name: 'run-2', parameters: { fail: true } });
    expect(await pipeline.wait('run-2')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining("step 'echo' (echo/run-2-echo) failed: asked to fail: hello"),
    });
    expect(await pipeline.cancel('run-2').catch((e: unknown) => e)).toMatchObject({ status: 409 });
    await pipeline.delete('run-2');
    expect(await pipeline.steps('run-2').catch((e: unknown) => e)).toMatchObject({
      code: 'ARTIFACT_NOT_FOUND',
      status: 404,
    });
  });
});
