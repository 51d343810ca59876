import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetManifest } from '@kiln/fashion-mnist';
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

describe('process tool over HTTP', () => {
  let dir: string;
  let importer: ToolHandle;
  let processor: ToolHandle;
  let raw: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-process-test-'));
    await writeTinyFashionMnist(dir, { train: 30, test: 10 });
    [importer, processor] = await Promise.all([
      startTool(tool('import')),
      startTool(tool('process')),
    ]);
    await buildArtifact(importer.url, 'raw', { source: 'path', path: dir });
    raw = artifactUrl(importer.url, 'raw');
  });

  afterAll(async () => {
    await Promise.all([importer?.close(), processor?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const manifestOf = (name: string) =>
    getJson<DatasetManifest>(`${processor.url}/artifacts/${name}/data/manifest.json`);
  const bytesOf = async (base: string, name: string, file: string) =>
    Buffer.from(await (await fetch(`${base}/artifacts/${name}/data/${file}`)).arrayBuffer());

  it('records the unit normalisation and keeps the pixels exact', async () => {
    await buildArtifact(processor.url, 'unit', { dataset: raw });
    const manifest = await manifestOf('unit');
    expect(manifest.stage).toBe('process');
    expect(manifest.normalization).toEqual({ method: 'unit', scale: 1 / 255, offset: 0 });
    const before = await bytesOf(importer.url, 'raw', 'train-images.u8');
    const after = await bytesOf(processor.url, 'unit', 'train-images.u8');
    expect(Buffer.compare(before, after)).toBe(0);
  });

  it('computes the standard normalisation from the training pixels', async () => {
    await buildArtifact(processor.url, 'standard', { dataset: raw, normalization: 'standard' });
    const { normalization } = await manifestOf('standard');
    expect(normalization.method).toBe('standard');
    expect(normalization.mean).toBeGreaterThan(0.05);
    expect(normalization.std).toBeGreaterThan(0.05);
    expect(normalization.offset).toBeCloseTo(
      -(normalization.mean as number) / (normalization.std as number),
    );
  });

  it('appends seeded augmented copies to the training set only', async () => {
    const augmentation = { copies: 2, flip: true, maxShift: 2 };
    const a = await buildArtifact(processor.url, 'aug-a', { dataset: raw, augmentation, seed: 7 });
    const b = await buildArtifact(processor.url, 'aug-b', { dataset: raw, augmentation, seed: 7 });
    const c = await buildArtifact(processor.url, 'aug-c', { dataset: raw, augmentation, seed: 8 });
    expect(a.digest).toBe(b.digest);
    expect(a.digest).not.toBe(c.digest);
    const manifest = await manifestOf('aug-a');
    expect(manifest.sets['train']).toMatchObject({ count: 90, classCounts: new Array(10).fill(9) });
    expect(manifest.sets['train']?.origins).toEqual({
      file: 'train-origins.u32',
      dtype: 'uint32',
      shape: [90],
    });
    expect(manifest.sets['test']?.count).toBe(10);
    const images = await bytesOf(processor.url, 'aug-a', 'train-images.u8');
    const original = await bytesOf(importer.url, 'raw', 'train-images.u8');
    expect(Buffer.compare(images.subarray(0, original.length), original)).toBe(0);
    expect(
      Buffer.compare(images.subarray(original.length, 2 * original.length), original),
    ).not.toBe(0);
  });

  it('refuses to augment an augmented set', async () => {
    await buildArtifact(processor.url, 'once', { dataset: raw, augmentation: { copies: 1 } });
    await createArtifact(processor.url, {
      name: 'twice',
      parameters: { dataset: artifactUrl(processor.url, 'once'), augmentation: { copies: 1 } },
    });
    const record = await waitForArtifact(processor.url, 'twice');
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/the training set is already augmented/);
  });

  it('refuses, at create time, a missing dataset or one that does not exist (422)', async () => {
    const missing = await createArtifact(processor.url, { parameters: {} }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(HttpStatusError);
    expect((missing as HttpStatusError).status).toBe(422);
    expect(JSON.stringify((missing as HttpStatusError).body)).toContain('/dataset');
    const nowhere = await createArtifact(processor.url, {
      parameters: { dataset: `${importer.url}/artifacts/nope/` },
    }).catch((e: unknown) => e);
    expect((nowhere as HttpStatusError).status).toBe(422);
  });
});
