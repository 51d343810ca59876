import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricInfo } from '@kiln/api';
import {
  artifactUrl,
  buildArtifact,
  createArtifact,
  getJson,
  startTool,
  waitForArtifact,
  writeTinyFashionMnist,
  type ToolHandle,
} from '@kiln/fashion-mnist/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tool = (name: string) =>
  fileURLToPath(new URL(`../../${name}/dist/tool.js`, import.meta.url));
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'] as const;

interface BenchmarkJson {
  accuracy: number;
  count: number;
  backend: string;
  throughput: { samplesPerSecond: number; batchSize: number };
  latency: { single: { runs: number; meanMs: number }; perSampleMs: number };
  perClass: Array<{ class: string; precision: number; recall: number }>;
  confusionMatrix: { classes: string[]; matrix: number[][] };
}

describe('the six tools chained over HTTP: import → process → export → split → train → benchmark', () => {
  let dir: string;
  const t = {} as Record<(typeof TOOLS)[number], ToolHandle>;
  const url = {} as Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-chain-test-'));
    await writeTinyFashionMnist(dir, { train: 300, test: 100 });
    const started = await Promise.all(TOOLS.map((name) => startTool(tool(name))));
    TOOLS.forEach((name, i) => (t[name] = started[i] as ToolHandle));
  });

  afterAll(async () => {
    await Promise.all(Object.values(t).map((handle) => handle.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function step(
    name: (typeof TOOLS)[number],
    parameters: Record<string, unknown>,
  ): Promise<string> {
    await buildArtifact(t[name].url, name, parameters);
    url[name] = artifactUrl(t[name].url, name);
    return url[name] as string;
  }

  it('goes from IDX files to a benchmarked model', async () => {
    const raw = await step('import', { source: 'path', path: dir });
    const processed = await step('process', {
      dataset: raw,
      augmentation: { copies: 1, maxShift: 1 },
    });
    const tensors = await step('export', { dataset: processed });
    const split = await step('split', { dataset: tensors, validationFraction: 0.2 });
    const model = await step('train', {
      dataset: split,
      hiddenUnits: [32],
      epochs: 3,
      batchSize: 32,
      learningRate: 0.005,
    });
    await step('benchmark', { model, dataset: tensors, latencyRuns: 20 });

    const bench = await getJson<BenchmarkJson>(`${url['benchmark']}data/benchmark.json`);
    expect(bench.count).toBe(100);
    expect(bench.accuracy).toBeGreaterThan(0.6);
    expect(bench.backend).toBe('wasm');
    expect(bench.throughput.samplesPerSecond).toBeGreaterThan(0);
    expect(bench.latency.single.runs).toBe(20);
    expect(bench.perClass).toHaveLength(10);
    const matrix = bench.confusionMatrix.matrix;
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(matrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(10).fill(10));

    const metrics = await getJson<MetricInfo[]>(`${url['benchmark']}metrics`);
    const kinds = Object.fromEntries(metrics.map((m) => [m.name, m.kind]));
    expect(kinds).toMatchObject({
      summary: 'report',
      'confusion-matrix': 'report',
      'per-class': 'report',
      accuracy: 'series',
    });
    const confusion = await getJson<{ matrix: number[][] }>(
      `${url['benchmark']}metrics/confusion-matrix/json`,
    );
    expect(confusion.matrix).toEqual(matrix);
  });

  it('scores the same on the raw import artifact, normalising as the model was trained', async () => {
    await buildArtifact(t.benchmark.url, 'on-raw', {
      model: url['train'],
      dataset: url['import'],
      latencyRuns: 0,
    });
    const onRaw = await getJson<BenchmarkJson>(
      `${t.benchmark.url}/artifacts/on-raw/data/benchmark.json`,
    );
    const onTensors = await getJson<BenchmarkJson>(`${url['benchmark']}data/benchmark.json`);
    expect(onRaw.confusionMatrix.matrix).toEqual(onTensors.confusionMatrix.matrix);
  });

  it('fails clearly when the model artifact holds no model', async () => {
    await createArtifact(t.benchmark.url, {
      name: 'no-model',
      parameters: { model: url['split'], dataset: url['export'] },
    });
    const record = await waitForArtifact(t.benchmark.url, 'no-model');
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/model: no model.json; expected an artifact of the train tool/);
  });

  it('fails clearly when the dataset has no test set', async () => {
    await createArtifact(t.benchmark.url, {
      name: 'no-test',
      parameters: { model: url['train'], dataset: url['split'] },
    });
    const record = await waitForArtifact(t.benchmark.url, 'no-test');
    expect(record.error).toMatch(/dataset: has no 'test' set \(it has: train, validation\)/);
  });
});
