import type { ArtifactRecord, MetricInfo, RunDocument } from '@kiln/api';
import { Kiln, type PipelineClient } from '@kiln/client';
import { startToolServer, type RunningToolServer } from '@kiln/core';
import { loadLayersModel, loadTensorFlow } from '@kiln/fashion-mnist';
import { writeTinyFashionMnist } from '@kiln/fashion-mnist/testing';
import { Topology } from '@kiln/topology';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real six containers (their built dist/tool.js) on a tiny synthetic Fashion-MNIST, and both
// example pipelines, sharing those containers. Every server is given the project's topology, as
// `kiln up` gives it: the six services by their compose names, each on a loopback port.
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'] as const;
const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

let root: string;
let dataDir: string;
let topology: Topology;
const servers: RunningToolServer[] = [];
let dense: PipelineClient;
let linear: PipelineClient;

// Small enough for a couple of seconds of training on the wasm backend.
const parameters = () => ({
  source: 'path',
  path: dataDir,
  epochs: 2,
  batchSize: 32,
  latencyRuns: 3,
  backend: 'cpu',
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiln-fashion-mnist-'));
  dataDir = join(root, 'idx');
  await writeTinyFashionMnist(dataDir, { train: 200, test: 50 });
  const ports = new Map<string, number>();
  for (const tool of TOOLS) ports.set(tool, await freePort());
  topology = new Topology({
    services: TOOLS.map((name) => ({ name, address: `http://127.0.0.1:${ports.get(name)}` })),
  });
  for (const tool of TOOLS) {
    servers.push(
      await startToolServer({
        modulePath: repo(`containers/${tool}/dist/tool.js`),
        dataDir: join(root, tool),
        port: ports.get(tool)!,
        topology,
      }),
    );
  }
  const [denseServer, linearServer] = await Promise.all(
    ['fashion-mnist', 'fashion-mnist-linear'].map((pipeline) =>
      startToolServer({
        modulePath: repo(`containers/pipeline/dist/pipelines/${pipeline}.js`),
        dataDir: join(root, pipeline),
        port: 0,
        topology,
      }),
    ),
  );
  servers.push(denseServer!, linearServer!);
  dense = Kiln.direct(denseServer!.url).pipeline();
  linear = Kiln.direct(linearServer!.url).pipeline();
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(root, { recursive: true, force: true });
});

/** A loopback port nothing listens on (closed again before it is returned). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** A step's artifact, named by the URL in compose form that the run's data carries. */
const artifactAt = (url: string) => Kiln.artifactAt(url, { topology });
const artifactOf = (url: string): Promise<ArtifactRecord> => {
  const { client, name } = artifactAt(url);
  return client.get(name);
};

/** Starts a run and waits for it to end. */
async function run(pipeline: PipelineClient, name: string, parameters: Record<string, unknown>) {
  await pipeline.run({ name, parameters });
  return pipeline.wait(name, { timeout: 170_000 });
}

describe('the Fashion-MNIST pipelines on the real containers', () => {
  it('lists the six containers, healthy, by category', async () => {
    const containers = await dense.containers();
    expect(containers.map((c) => [c.name, c.category, c.healthy])).toEqual([
      ['import', 'data', true],
      ['process', 'data', true],
      ['export', 'data', true],
      ['split', 'data', true],
      ['train', 'model', true],
      ['benchmark', 'benchmark', true],
    ]);
    expect(containers.find((c) => c.name === 'train')?.artifactType).toBe('model');
  });

  it('runs import → benchmark: artifacts chain, metrics and reports exist, the model loads and predicts', async () => {
    const summary = await run(dense, 'dense-1', { ...parameters(), hiddenUnits: [32] });
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('completed');

    const document = await dense.dataJson<RunDocument>('dense-1', 'run.json');
    expect(Object.keys(document.artifacts)).toEqual([...TOOLS]);
    // References name the containers as docker-compose.yml does, whatever their address here.
    expect(document.artifacts['train']).toBe('http://train:8080/artifacts/dense-1-train/');
    const steps = await dense.steps('dense-1');
    expect(steps.map((s) => [s.step, s.status])).toEqual(TOOLS.map((tool) => [tool, 'completed']));

    // Each step consumed the artifact of the step before it (the benchmark also the tensors).
    const records = Object.fromEntries(
      await Promise.all(
        TOOLS.map(async (tool) => [tool, await artifactOf(document.artifacts[tool]!)] as const),
      ),
    );
    const consumed = (tool: string) =>
      records[tool]!.inputs.map((input) => [input.parameter, input.url]);
    expect(consumed('process')).toEqual([['dataset', document.artifacts['import']]]);
    expect(consumed('export')).toEqual([['dataset', document.artifacts['process']]]);
    expect(consumed('split')).toEqual([['dataset', document.artifacts['export']]]);
    expect(consumed('train')).toEqual([['dataset', document.artifacts['split']]]);
    expect(consumed('benchmark')).toEqual([
      ['dataset', document.artifacts['export']],
      ['model', document.artifacts['train']],
    ]);

    // Headline figures, metrics and reports.
    expect(document.figures).toMatchObject({
      count: 50,
      architecture: 'dense',
      trainCount: 180,
      validationCount: 20,
    });
    expect(document.figures['accuracy']).toBeGreaterThanOrEqual(0);
    expect(document.figures['accuracy']).toBeLessThanOrEqual(1);
    const metricsOf = (url: string): Promise<MetricInfo[]> => {
      const { client, name } = artifactAt(url);
      return client.metrics(name);
    };
    const trainMetrics = await metricsOf(document.artifacts['train']!);
    expect(trainMetrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['loss', 'accuracy', 'val_accuracy', 'training']),
    );
    const benchmarkMetrics = await metricsOf(document.artifacts['benchmark']!);
    expect(benchmarkMetrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['summary', 'confusion-matrix']),
    );
    const log = await dense.log('dense-1');
    expect(log).toMatch(/\[train\] epoch 2: loss/);

    // The model, downloaded over HTTP, loads and predicts 10 probabilities.
    const modelDir = join(root, 'model');
    const trained = artifactAt(document.artifacts['train']!);
    await trained.client.download(trained.name, modelDir, { folder: true });
    const { tf } = await loadTensorFlow('cpu');
    const { model } = await loadLayersModel(tf, modelDir);
    const prediction = model.predict(tf.zeros([2, 28, 28, 1])) as {
      shape: number[];
      data(): Promise<Float32Array>;
    };
    expect(prediction.shape).toEqual([2, 10]);
    const probabilities = await prediction.data();
    expect(probabilities.slice(0, 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  }, 180_000);

  it('re-runs from the cache, and the linear pipeline shares the data steps', async () => {
    const again = await run(dense, 'dense-2', { ...parameters(), hiddenUnits: [32] });
    expect(again.status).toBe('completed');
    const againSteps = await dense.steps('dense-2');
    expect(againSteps.every((s) => s.cached)).toBe(true);

    const summary = await run(linear, 'linear-1', parameters());
    expect(summary.error).toBeNull();
    const steps = await linear.steps('linear-1');
    expect(steps.map((s) => [s.step, s.cached])).toEqual([
      ['import', true],
      ['process', true],
      ['export', true],
      ['split', true],
      ['train', false],
      ['benchmark', false],
    ]);
    const document = await linear.dataJson<RunDocument>('linear-1', 'run.json');
    expect(document.figures).toMatchObject({
      architecture: 'linear',
      count: 50,
      parameterCount: 7850,
    });
  }, 180_000);

  it('sweeps variants from one split: each trained and benchmarked, the failing one named, the best chosen', async () => {
    const summary = await run(dense, 'sweep-1', {
      ...parameters(),
      hiddenUnits: [32],
      variants: [
        { name: 'small', hiddenUnits: [16] },
        { name: 'wide', hiddenUnits: [64], dropout: 0.1 },
        { name: 'fast', learningRate: 0.01, epochs: 1 },
        // No native backend here: the train container refuses convolutions, and says why.
        { name: 'conv', architecture: 'conv' },
      ],
    });
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('completed');
    const document = await dense.dataJson<RunDocument>('sweep-1', 'run.json');
    const variants = document.variants!;
    expect(variants).toMatchObject({ metric: 'accuracy', goal: 'max', failed: ['conv'] });
    expect(variants.results.map((v) => [v.name, v.status])).toEqual([
      ['small', 'completed'],
      ['wide', 'completed'],
      ['fast', 'completed'],
      ['conv', 'failed'],
    ]);
    expect(variants.results[3]!.error).toContain('needs a native TensorFlow.js backend');
    expect(variants.results[1]!.parameters).toEqual({ hiddenUnits: [64], dropout: 0.1 });
    // The best is the completed variant with the highest test accuracy, and the run's figures are its.
    const completed = variants.results.filter((v) => v.status === 'completed');
    const top = Math.max(...completed.map((v) => v.figures!['accuracy'] as number));
    expect(completed.find((v) => v.name === variants.best)!.figures!['accuracy']).toBe(top);
    expect(document.figures).toMatchObject({ variant: variants.best, accuracy: top, count: 50 });
    expect(variants.results[0]!.figures).toMatchObject({ parameterCount: 784 * 16 + 16 + 170 });

    // The data steps ran once for every variant (from the cache: dense-1 made them).
    const steps = await dense.steps('sweep-1');
    expect(steps.slice(0, 4).map((s) => [s.step, s.cached])).toEqual(
      TOOLS.slice(0, 4).map((tool) => [tool, true]),
    );
    expect(steps.filter((s) => s.variant === 'conv').map((s) => [s.step, s.status])).toEqual([
      ['train-conv', 'failed'],
    ]);
    // Each variant trained with its own parameters on the shared split, and was benchmarked.
    const small = variants.results[0]!;
    const train = await artifactOf(small.artifacts['train']!);
    // The run's default learning rate (0.002), unless the variant sets its own.
    expect(train.parameters).toMatchObject({ hiddenUnits: [16], epochs: 2, learningRate: 0.002 });
    expect(train.inputs.map((input) => input.url)).toEqual([document.artifacts['split']]);
    const fast = await artifactOf(variants.results[2]!.artifacts['train']!);
    expect(fast.parameters).toMatchObject({ hiddenUnits: [32], epochs: 1, learningRate: 0.01 });
    const benchmark = await artifactOf(small.artifacts['benchmark']!);
    expect(benchmark.inputs.map((input) => [input.parameter, input.url])).toEqual([
      ['dataset', document.artifacts['export']],
      ['model', small.artifacts['train']],
    ]);
    // Every variant's training was queued at once, before the first one finished.
    const trains = await Promise.all(
      variants.results.map(async (v) => {
        const { client, name } = artifactAt(v.artifacts['train']!);
        return client.status(name);
      }),
    );
    const firstDone = Math.min(...trains.map((t) => Date.parse(t.finishedAt!)));
    expect(trains.every((t) => Date.parse(t.createdAt) <= firstDone)).toBe(true);
    const log = await dense.log('sweep-1');
    expect(log).toMatch(/^\[train-wide\] epoch 2: loss/m);
    expect(log).toMatch(/^\[wide\] accuracy [\d.]+% on 50 test images$/m);
    expect(log).toMatch(
      /^\[conv\] failed: step 'train-conv' .*needs a native TensorFlow\.js backend/m,
    );
  }, 240_000);

  it('fails the run with the failing step’s error', async () => {
    const summary = await run(dense, 'dense-broken', {
      source: 'path',
      path: join(root, 'nothing-here'),
    });
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain("step 'import'");
    const steps = await dense.steps('dense-broken');
    expect(steps.map((s) => [s.step, s.status])).toEqual([['import', 'failed']]);
  }, 60_000);
});
