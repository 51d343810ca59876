import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetManifest } from '@kiln/fashion-mnist';
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

describe('export tool over HTTP', () => {
  let dir: string;
  let importer: ToolHandle;
  let processor: ToolHandle;
  let exporter: ToolHandle;
  let processed: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-export-test-'));
    await writeTinyFashionMnist(dir, { train: 20, test: 10 });
    [importer, processor, exporter] = await Promise.all(
      ['import', 'process', 'export'].map((t) => startTool(tool(t))),
    );
    await buildArtifact(importer.url, 'raw', { source: 'path', path: dir });
    await buildArtifact(processor.url, 'standard', {
      dataset: artifactUrl(importer.url, 'raw'),
      normalization: 'standard',
    });
    processed = artifactUrl(processor.url, 'standard');
  });

  afterAll(async () => {
    await Promise.all([importer?.close(), processor?.close(), exporter?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const bytesOf = async (base: string, name: string, file: string) =>
    Buffer.from(await (await fetch(`${base}/artifacts/${name}/data/${file}`)).arrayBuffer());

  it('writes normalised float32 NHWC tensors, labels and one-hot labels', async () => {
    await buildArtifact(exporter.url, 'f32', { dataset: processed, oneHot: true });
    const manifest = await getJson<DatasetManifest>(
      `${exporter.url}/artifacts/f32/data/manifest.json`,
    );
    expect(manifest.stage).toBe('export');
    expect(manifest.imageShape).toEqual([28, 28, 1]);
    const train = manifest.sets['train']!;
    expect(train.images).toMatchObject({
      file: 'train-x.f32',
      dtype: 'float32',
      shape: [20, 28, 28, 1],
    });
    expect(train.oneHot).toEqual({ file: 'train-y-onehot.f32', dtype: 'float32', shape: [20, 10] });
    const pixels = await bytesOf(importer.url, 'raw', 'train-images.u8');
    const x = new Float32Array(
      new Uint8Array(await bytesOf(exporter.url, 'f32', 'train-x.f32')).buffer,
    );
    const { scale, offset } = manifest.normalization;
    for (const i of [0, 100, 783, 20 * 784 - 1])
      expect(x[i]).toBeCloseTo((pixels[i] as number) * scale + offset, 5);
    const labels = await bytesOf(exporter.url, 'f32', 'train-y.u8');
    const oneHot = new Float32Array(
      new Uint8Array(await bytesOf(exporter.url, 'f32', 'train-y-onehot.f32')).buffer,
    );
    expect(oneHot[3 * 10 + (labels[3] as number)]).toBe(1);
    expect(oneHot.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('writes raw uint8 in the flat layout with the normalisation in the manifest', async () => {
    await buildArtifact(exporter.url, 'u8', { dataset: processed, dtype: 'uint8', layout: 'flat' });
    const manifest = await getJson<DatasetManifest>(
      `${exporter.url}/artifacts/u8/data/manifest.json`,
    );
    expect(manifest.imageShape).toEqual([784]);
    expect(manifest.sets['test']?.images).toMatchObject({
      dtype: 'uint8',
      shape: [10, 784],
      encoding: { scale: 1, offset: 0 },
    });
    expect(manifest.normalization.method).toBe('standard');
  });

  it('refuses uint8 output from float32 data', async () => {
    await createArtifact(exporter.url, {
      name: 'again',
      parameters: { dataset: artifactUrl(exporter.url, 'f32'), dtype: 'uint8' },
    });
    const record = await waitForArtifact(exporter.url, 'again');
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /set '(train|test)' holds float32 values; dtype "uint8" needs raw pixels/,
    );
  });
});
