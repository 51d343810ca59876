import type { ArtifactRecord, ContainerInfo, MetricInfo, StepInfo } from '@kiln/api';
import { startToolServer, type RunningToolServer } from '@kiln/core';
import { loadLayersModel, loadTensorFlow } from '@kiln/fashion-mnist';
import { writeTinyFashionMnist } from '@kiln/fashion-mnist/testing';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../src/run/run-document.js';
import { http, startRun, waitFinal } from './http-helpers.js';
import { serveModule, type ServedProcess } from './serve-process.js';

// The real six containers (their built dist/tool.js) on a tiny synthetic Fashion-MNIST, and both
// example pipelines served by the CLI as their own processes, sharing those containers.
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'] as const;
const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

let root: string;
let dataDir: string;
const tools = new Map<string, RunningToolServer>();
let dense: ServedProcess;
let linear: ServedProcess;

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
  for (const tool of TOOLS) {
    tools.set(
      tool,
      await startToolServer({
        modulePath: repo(`containers/${tool}/dist/tool.js`),
        dataDir: join(root, tool),
        port: 0,
      }),
    );
  }
  const env = {
    KILN_CONTAINER_URLS: TOOLS.map((tool) => `${tool}=${tools.get(tool)!.url}`).join(','),
  };
  [dense, linear] = await Promise.all([
    serveModule(
      repo('containers/pipeline/dist/pipelines/fashion-mnist.js'),
      join(root, 'dense'),
      env,
    ),
    serveModule(
      repo('containers/pipeline/dist/pipelines/fashion-mnist-linear.js'),
      join(root, 'linear'),
      env,
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([dense?.stop(), linear?.stop()]);
  await Promise.all([...tools.values()].map((tool) => tool.close()));
  await rm(root, { recursive: true, force: true });
});

const artifactOf = (url: string): Promise<ArtifactRecord> => http(url).json<ArtifactRecord>();

describe('the Fashion-MNIST pipelines on the real containers', () => {
  it('lists the six containers, healthy, by category', async () => {
    const containers = await http(`${dense.url}/containers`).json<ContainerInfo[]>();
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
    const run = await startRun(dense.url, 'dense-1', { ...parameters(), hiddenUnits: [32] });
    const summary = await waitFinal(run);
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('completed');

    const document = await http(`${run}/data`).json<RunDocument>();
    expect(Object.keys(document.artifacts)).toEqual([...TOOLS]);
    const steps = await http(`${run}/steps`).json<StepInfo[]>();
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
    const trainMetrics = await http(`${document.artifacts['train']}metrics`).json<MetricInfo[]>();
    expect(trainMetrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['loss', 'accuracy', 'val_accuracy', 'training']),
    );
    const benchmarkMetrics = await http(`${document.artifacts['benchmark']}metrics`).json<
      MetricInfo[]
    >();
    expect(benchmarkMetrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['summary', 'confusion-matrix']),
    );
    const log = await http(`${run}/log`).text();
    expect(log).toMatch(/\[train\] epoch 2: loss/);

    // The model, downloaded over HTTP, loads and predicts 10 probabilities.
    const modelDir = join(root, 'model');
    await mkdir(modelDir);
    for (const file of records['train']!.files) {
      await writeFile(
        join(modelDir, file.path),
        (await http(`${document.artifacts['train']}data/${file.path}`)).rawBody,
      );
    }
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
    const again = await startRun(dense.url, 'dense-2', { ...parameters(), hiddenUnits: [32] });
    expect((await waitFinal(again)).status).toBe('completed');
    const againSteps = await http(`${again}/steps`).json<StepInfo[]>();
    expect(againSteps.every((s) => s.cached)).toBe(true);

    const baseline = await startRun(linear.url, 'linear-1', parameters());
    const summary = await waitFinal(baseline);
    expect(summary.error).toBeNull();
    const steps = await http(`${baseline}/steps`).json<StepInfo[]>();
    expect(steps.map((s) => [s.step, s.cached])).toEqual([
      ['import', true],
      ['process', true],
      ['export', true],
      ['split', true],
      ['train', false],
      ['benchmark', false],
    ]);
    const document = await http(`${baseline}/data`).json<RunDocument>();
    expect(document.figures).toMatchObject({
      architecture: 'linear',
      count: 50,
      parameterCount: 7850,
    });
  }, 180_000);

  it('fails the run with the failing step’s error', async () => {
    const run = await startRun(dense.url, 'dense-broken', {
      source: 'path',
      path: join(root, 'nothing-here'),
    });
    const summary = await waitFinal(run);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain("step 'import'");
    const steps = await http(`${run}/steps`).json<StepInfo[]>();
    expect(steps.map((s) => [s.step, s.status])).toEqual([['import', 'failed']]);
  }, 60_000);
});
