import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricPoint } from '@kiln/api';
import {
  HttpStatusError,
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

/** Reads a followed log until `pattern` appears (the build has reached that point). */
async function waitForLogLine(url: string, pattern: RegExp): Promise<void> {
  const response = await fetch(url);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the log ended without ${pattern}:\n${text}`);
      text += decoder.decode(value, { stream: true });
      if (pattern.test(text)) return;
    }
  } finally {
    await reader.cancel();
  }
}

describe('train tool over HTTP', () => {
  let dir: string;
  const tools: Record<string, ToolHandle> = {};
  let split: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-train-test-'));
    await writeTinyFashionMnist(dir, { train: 200, test: 20 });
    const names = ['import', 'process', 'split', 'train'];
    const started = await Promise.all(names.map((name) => startTool(tool(name))));
    names.forEach((name, i) => (tools[name] = started[i] as ToolHandle));
    await buildArtifact(tools['import']!.url, 'raw', { source: 'path', path: dir });
    await buildArtifact(tools['process']!.url, 'unit', {
      dataset: artifactUrl(tools['import']!.url, 'raw'),
    });
    await buildArtifact(tools['split']!.url, 'split', {
      dataset: artifactUrl(tools['process']!.url, 'unit'),
      validationFraction: 0.2,
    });
    split = artifactUrl(tools['split']!.url, 'split');
  });

  afterAll(async () => {
    await Promise.all(Object.values(tools).map((t) => t.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const train = () => tools['train'] as ToolHandle;

  it('trains the dense network on wasm, streams per-epoch metrics and saves model.json + weights', async () => {
    const record = await buildArtifact(train().url, 'dense', {
      dataset: split,
      hiddenUnits: [16],
      epochs: 2,
      batchSize: 32,
      learningRate: 0.01,
    });
    expect(record.files.map((f) => f.path).sort()).toEqual([
      'model.json',
      'training.json',
      'weights.bin',
    ]);
    expect(record.metrics).toEqual(
      expect.arrayContaining(['loss', 'accuracy', 'val_loss', 'val_accuracy', 'training']),
    );
    const loss = await getJson<MetricPoint[]>(`${train().url}/artifacts/dense/metrics/loss/values`);
    expect(loss.map((p) => p.step)).toEqual([1, 2]);
    const valAccuracy = await getJson<MetricPoint[]>(
      `${train().url}/artifacts/dense/metrics/val_accuracy/values`,
    );
    expect(valAccuracy).toHaveLength(2);
    const training = await getJson<Record<string, unknown>>(
      `${train().url}/artifacts/dense/data/training.json`,
    );
    expect(training).toMatchObject({
      backend: 'wasm',
      architecture: 'dense',
      trainCount: 160,
      validationCount: 40,
    });
    expect(training['samplesPerSecond']).toBeGreaterThan(0);
    const log = await (await fetch(`${train().url}/artifacts/dense/log`)).text();
    expect(log).toMatch(/backend 'wasm' from @tensorflow\/tfjs-backend-wasm/);
    expect(log).toMatch(/epoch 2: loss [\d.]+ accuracy [\d.]+ val_loss [\d.]+ val_accuracy [\d.]+/);
    const model = await getJson<{ format: string; weightsManifest: Array<{ paths: string[] }> }>(
      `${train().url}/artifacts/dense/data/model.json`,
    );
    expect(model.format).toBe('layers-model');
    expect(model.weightsManifest[0]?.paths).toEqual(['weights.bin']);
    expect(record.files.find((f) => f.path === 'weights.bin')?.size).toBe(
      (784 * 16 + 16 + 16 * 10 + 10) * 4,
    );
  });

  it('trains the linear baseline (softmax regression)', async () => {
    const record = await buildArtifact(train().url, 'linear', {
      dataset: split,
      architecture: 'linear',
      epochs: 1,
    });
    expect(record.files.find((f) => f.path === 'weights.bin')?.size).toBe((784 * 10 + 10) * 4);
  });

  it('fails "conv" clearly when no native backend loaded', async () => {
    await createArtifact(train().url, {
      name: 'conv',
      parameters: { dataset: split, architecture: 'conv' },
    });
    const record = await waitForArtifact(train().url, 'conv');
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /architecture "conv" needs a native TensorFlow.js backend \(@tensorflow\/tfjs-node or @tensorflow\/tfjs-node-gpu\); this container loaded 'wasm'/,
    );
  });

  it('stops training when cancelled', async () => {
    await createArtifact(train().url, {
      name: 'long',
      parameters: { dataset: split, hiddenUnits: [8], epochs: 1000, batchSize: 8 },
    });
    await waitForLogLine(`${train().url}/artifacts/long/log?follow=1`, /epoch 1: /);
    const cancel = await fetch(`${train().url}/artifacts/long/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const record = await waitForArtifact(train().url, 'long');
    expect(record.status).toBe('cancelled');
    const loss = await getJson<MetricPoint[]>(`${train().url}/artifacts/long/metrics/loss/values`);
    expect(loss.length).toBeLessThan(1000);
  });

  it('refuses bad parameters at create time (422)', async () => {
    const error = await createArtifact(train().url, {
      parameters: { dataset: split, architecture: 'transformer' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(422);
  });
});
