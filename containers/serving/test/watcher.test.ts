import { startToolServer, type RunningToolServer } from '@kiln/core';
import { writeTinyFashionMnist } from '@kiln/fashion-mnist/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServingServer, type RunningServingServer } from '../dist/index.js';
import { call } from './support/http.js';

// The example's own path: the real fashion-mnist pipeline (served by the CLI, its own process)
// on the real six containers, and a serving container watching it, as docker-compose.yml wires it.
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'] as const;
const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

let root: string;
const tools: RunningToolServer[] = [];
let pipeline: ChildProcess;
let pipelineUrl: string;
let serving: RunningServingServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiln-serving-watch-'));
  await writeTinyFashionMnist(join(root, 'idx'), { train: 200, test: 50 });
  const urls: string[] = [];
  for (const tool of TOOLS) {
    const server = await startToolServer({
      modulePath: repo(`containers/${tool}/dist/tool.js`),
      dataDir: join(root, tool),
      port: 0,
    });
    tools.push(server);
    urls.push(`${tool}=${server.url}`);
  }
  pipeline = spawn(
    process.execPath,
    [
      repo('base/cli/dist/main.js'),
      'serve',
      repo('containers/pipeline/dist/pipelines/fashion-mnist.js'),
      '--port',
      '0',
      '--data',
      join(root, 'pipeline'),
    ],
    {
      env: { ...process.env, KILN_CONTAINER_URLS: urls.join(',') },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  pipelineUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    pipeline.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    pipeline.once('exit', (code) => reject(new Error(`the pipeline exited with ${code}`)));
  });
  serving = await startServingServer({
    dataDir: join(root, 'serving'),
    port: 0,
    benchmarkRuns: 10,
    watch: [{ model: 'fashion-mnist', url: pipelineUrl }],
  });
}, 120_000);

afterAll(async () => {
  await serving?.close();
  if (pipeline && pipeline.exitCode === null) {
    const exited = once(pipeline, 'exit');
    pipeline.kill('SIGTERM');
    await exited;
  }
  for (const tool of tools) await tool.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('watching a pipeline', () => {
  it("serves the first completed run's model by itself, evaluated on the run's benchmark set", async () => {
    expect((await call<unknown[]>(`${serving.url}/models`)).body).toEqual([]);
    const run = await call(`${pipelineUrl}/runs`, {
      json: {
        name: 'first',
        parameters: {
          source: 'path',
          path: join(root, 'idx'),
          epochs: 2,
          hiddenUnits: [16],
          latencyRuns: 3,
          backend: 'wasm',
        },
      },
    });
    expect(run.status).toBe(202);
    // The watcher registers version 1 once the run completes: wait on it with the long-poll.
    let version: Record<string, unknown> | undefined;
    while (version?.['status'] !== 'ready') {
      const models = await call<{ name: string }[]>(`${serving.url}/models`);
      if (models.body.length === 0) {
        await call(`${pipelineUrl}/runs/first/status?wait=30`);
        continue;
      }
      version = (await call(`${serving.url}/models/fashion-mnist/versions/1?wait=30`)).body;
      expect(version['status']).not.toBe('failed');
    }
    const steps = (await call<{ step: string; url: string }[]>(`${pipelineUrl}/runs/first/steps`))
      .body;
    const url = (step: string) => steps.find((s) => s.step === step)!.url;
    expect(version).toMatchObject({
      aliases: ['champion'],
      artifact: url('train'),
      source: { pipeline: 'fashion-mnist', run: 'first' },
    });
    expect((version['figures'] as { evaluation: unknown }).evaluation).toEqual({
      dataset: url('export'),
      set: 'test',
    });
    const answer = await call(`${serving.url}/v2/models/fashion-mnist/infer`, {
      json: {
        inputs: [
          { name: 'images', shape: [1, 28, 28], datatype: 'UINT8', data: new Array(784).fill(0) },
        ],
      },
    });
    expect(answer.status).toBe(200);
  });
});
