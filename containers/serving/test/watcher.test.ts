import { startToolServer, type RunningToolServer } from '@kiln/core';
import { writeTinyFashionMnist } from '@kiln/fashion-mnist/testing';
import type { ModelVersionInfo, RunDocument, StepInfo } from '@kiln/api';
import { Kiln } from '@kiln/client';
import { Topology } from '@kiln/topology';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/http.js';
import { spawnServing, type ServingProcess } from './support/serving-process.js';

// The example's own path: the real fashion-mnist pipeline (served by the CLI, its own process)
// on the real six containers, and the serving container's own process watching it, wired as
// docker-compose.yml wires them: KILN_SERVING_WATCH names the pipeline's service, and every
// process learns where the services are from the topology (here, as `kiln up` gives it:
// KILN_SERVICE_ADDRESSES, each service on a loopback port).
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'] as const;
const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

let root: string;
const tools: RunningToolServer[] = [];
let pipeline: ChildProcess;
let pipelineUrl: string;
let serving: ServingProcess;
let addresses: string;

/** A loopback port nothing listens on (closed again before it is returned). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiln-serving-watch-'));
  await writeTinyFashionMnist(join(root, 'idx'), { train: 200, test: 50 });
  const ports = new Map<string, number>();
  for (const service of [...TOOLS, 'fashion-mnist']) ports.set(service, await freePort());
  addresses = [...ports].map(([name, port]) => `${name}=http://127.0.0.1:${port}`).join(',');
  const topology = new Topology({
    services: [...ports].map(([name, port]) => ({ name, address: `http://127.0.0.1:${port}` })),
  });
  for (const tool of TOOLS) {
    const server = await startToolServer({
      modulePath: repo(`containers/${tool}/dist/tool.js`),
      dataDir: join(root, tool),
      port: ports.get(tool)!,
      topology,
    });
    tools.push(server);
  }
  pipeline = spawn(
    process.execPath,
    [
      repo('base/cli/dist/main.js'),
      'serve',
      repo('containers/pipeline/dist/pipelines/fashion-mnist.js'),
      '--port',
      String(ports.get('fashion-mnist')),
      '--data',
      join(root, 'pipeline'),
    ],
    {
      env: { ...process.env, KILN_SERVICE_ADDRESSES: addresses },
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
  serving = await spawnServing(join(root, 'serving'), {
    KILN_SERVING_WATCH: 'fashion-mnist',
    KILN_SERVICE_ADDRESSES: addresses,
  });
}, 120_000);

afterAll(async () => {
  await serving?.stop();
  if (pipeline && pipeline.exitCode === null) {
    const exited = once(pipeline, 'exit');
    pipeline.kill('SIGTERM');
    await exited;
  }
  for (const tool of tools) await tool.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A run of the real pipeline on the tiny dataset, quick to train and benchmark. */
function tinyRun(): Record<string, unknown> {
  return { source: 'path', path: join(root, 'idx'), epochs: 2, latencyRuns: 3, backend: 'wasm' };
}

/**
 * Version 1 of `model` on `url` once it settled, registered by the container's own watcher:
 * waits for its first `version` event when the model does not exist yet, then long-polls.
 */
async function firstVersion(url: string, model: string): Promise<ModelVersionInfo> {
  const serving = Kiln.direct(url).serving();
  const abort = new AbortController();
  let opened: () => void = () => undefined;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const events = serving.events({ signal: abort.signal, onOpen: () => opened() });
  const registered = (async (): Promise<void> => {
    for await (const event of events)
      if (event.type === 'version' && event.version.model === model) return;
  })();
  registered.catch(() => undefined); // ends with the abort below when it is not needed
  try {
    await open;
    if (!(await serving.models()).some((known) => known.name === model)) await registered;
    return await serving.waitForVersion(model, 1, { timeout: 60_000 });
  } finally {
    abort.abort();
  }
}

describe('watching a pipeline', () => {
  it('refuses to start watching a pipeline the topology does not have', async () => {
    const failed = spawnServing(join(root, 'typo'), {
      KILN_SERVING_WATCH: 'fashion-minst',
      KILN_SERVICE_ADDRESSES: `fashion-mnist=${pipelineUrl}`,
    });
    await expect(failed).rejects.toThrow(/'fashion-minst', which is not a service of the topology/);
  });

  it("serves the first completed run's model by itself, evaluated on the run's benchmark set", async () => {
    expect((await call<unknown[]>(`${serving.url}/models`)).body).toEqual([]);
    const run = await call(`${pipelineUrl}/runs`, {
      json: {
        name: 'first',
        parameters: { ...tinyRun(), hiddenUnits: [16] },
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
    // References name containers as docker-compose.yml does; the serving container reached
    // them through its topology.
    expect(url('train')).toMatch(/^http:\/\/train:8080\/artifacts\//);
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

  it("serves a sweep's best variant: its model, evaluated on its benchmark's set", async () => {
    const variants = [
      { name: 'small', hiddenUnits: [4] },
      { name: 'wide', hiddenUnits: [64] },
    ];
    const run = await call(`${pipelineUrl}/runs`, {
      json: { name: 'sweep', parameters: { ...tinyRun(), variants } },
    });
    expect(run.status).toBe(202);
    expect((await call(`${pipelineUrl}/runs/sweep/status?wait=60`)).body).toMatchObject({
      status: 'completed',
    });
    const { variants: sweep } = (await call<RunDocument>(`${pipelineUrl}/runs/sweep/data`)).body;
    const best = sweep!.results.find((result) => result.name === sweep!.best)!;
    // A second serving container, whose model has no version yet: the newest completed run is
    // the sweep, which has no step named `train`.
    const second = await spawnServing(join(root, 'serving-sweep'), {
      KILN_SERVING_WATCH: 'fashion-mnist',
      KILN_SERVICE_ADDRESSES: addresses,
    });
    try {
      const version = await firstVersion(second.url, 'fashion-mnist');
      expect(version).toMatchObject({
        status: 'ready',
        artifact: best.artifacts['train'],
        source: { pipeline: 'fashion-mnist', run: 'sweep' },
      });
      const steps = (await call<StepInfo[]>(`${pipelineUrl}/runs/sweep/steps`)).body;
      const exported = steps.find((step) => step.step === 'export')!.url;
      expect(version.figures?.evaluation).toEqual({ dataset: exported, set: 'test' });
      expect(second.log()).toContain(`run=sweep variant=${best.name} artifact=`);
    } finally {
      await second.stop();
    }
  });
});
