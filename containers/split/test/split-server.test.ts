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

describe('split tool over HTTP', () => {
  let dir: string;
  let importer: ToolHandle;
  let processor: ToolHandle;
  let splitter: ToolHandle;
  let labels: ToolHandle;
  let raw: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-split-test-'));
    await writeTinyFashionMnist(dir, { train: 40, test: 10 });
    [importer, processor, splitter] = await Promise.all(
      ['import', 'process', 'split'].map((t) => startTool(tool(t))),
    );
    labels = await startTool(fileURLToPath(new URL('fixtures/labels-tool.mjs', import.meta.url)));
    await buildArtifact(importer.url, 'raw', { source: 'path', path: dir });
    raw = artifactUrl(importer.url, 'raw');
  });

  afterAll(async () => {
    await Promise.all([importer?.close(), processor?.close(), splitter?.close(), labels?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const manifestOf = (name: string) =>
    getJson<DatasetManifest>(`${splitter.url}/artifacts/${name}/data/manifest.json`);
  const u32 = async (name: string, file: string) =>
    new Uint32Array(
      new Uint8Array(
        await (await fetch(`${splitter.url}/artifacts/${name}/data/${file}`)).arrayBuffer(),
      ).buffer,
    );

  async function failure(
    name: string,
    parameters: Record<string, unknown>,
  ): Promise<string | null> {
    await createArtifact(splitter.url, { name, parameters: { dataset: raw, ...parameters } });
    const record = await waitForArtifact(splitter.url, name);
    expect(record.status).toBe('failed');
    return record.error;
  }

  it('splits stratified and reproducibly by seed', async () => {
    const a = await buildArtifact(splitter.url, 'a', {
      dataset: raw,
      validationFraction: 0.25,
      seed: 3,
    });
    const b = await buildArtifact(splitter.url, 'b', {
      dataset: raw,
      validationFraction: 0.25,
      seed: 3,
    });
    const c = await buildArtifact(splitter.url, 'c', {
      dataset: raw,
      validationFraction: 0.25,
      seed: 4,
    });
    expect(a.digest).toBe(b.digest);
    expect(a.digest).not.toBe(c.digest);
    const manifest = await manifestOf('a');
    expect(manifest.stage).toBe('split');
    expect(manifest.sets['validation']).toMatchObject({
      count: 10,
      classCounts: new Array(10).fill(1),
    });
    expect(manifest.sets['train']).toMatchObject({ count: 30, classCounts: new Array(10).fill(3) });
    expect(Object.keys(manifest.sets)).toEqual(['train', 'validation']);
    const train = await u32('a', 'train-indices.u32');
    const validation = await u32('a', 'validation-indices.u32');
    expect(new Set([...train, ...validation]).size).toBe(40);
  });

  it('keeps augmented copies with their original', async () => {
    await buildArtifact(processor.url, 'aug', { dataset: raw, augmentation: { copies: 1 } });
    await buildArtifact(splitter.url, 'aug-split', {
      dataset: artifactUrl(processor.url, 'aug'),
      validationFraction: 0.25,
    });
    const manifest = await manifestOf('aug-split');
    expect(manifest.sets['validation']?.count).toBe(10);
    expect(manifest.sets['train']?.count).toBe(60);
    const validation = await u32('aug-split', 'validation-indices.u32');
    const train = await u32('aug-split', 'train-indices.u32');
    for (const row of validation) {
      expect(row).toBeLessThan(40);
      expect([...train]).not.toContain(row + 40);
    }
  });

  it('refuses an empty validation or training side', async () => {
    expect(await failure('empty-val', { validationFraction: 0.01 })).toMatch(
      /the validation set would be empty \(0.01 of 40 images, per class rounds to 0\); raise validationFraction/,
    );
    expect(await failure('empty-train', { validationFraction: 0.95 })).toMatch(
      /the training set would be empty/,
    );
  });

  it('refuses a set the dataset does not have', async () => {
    expect(await failure('no-set', { from: 'validation' })).toMatch(
      /has no 'validation' set \(it has: train, test\)/,
    );
  });

  it('adds the examples of an extra labelled dataset to the training side only, copies and all', async () => {
    await buildArtifact(labels.url, 'people', { count: 3, label: 4, value: 200 });
    await buildArtifact(splitter.url, 'plain', {
      dataset: raw,
      validationFraction: 0.25,
    });
    await buildArtifact(splitter.url, 'with-extra', {
      dataset: raw,
      validationFraction: 0.25,
      extra: artifactUrl(labels.url, 'people'),
      extraCopies: 2,
    });
    const base = await manifestOf('plain');
    const manifest = await manifestOf('with-extra');
    expect(manifest.sets['validation']).toEqual(base.sets['validation']);
    const train = manifest.sets['train']!;
    expect(train.count).toBe(30 + 6);
    expect(train.classCounts[4]).toBe(base.sets['train']!.classCounts[4]! + 6);
    expect(train.images.shape[0]).toBe(36);
    expect(manifest.provenance['extra']).toEqual({ count: 3, copies: 2 });
    // The rows the indices name come first, the extra examples after them, as stored.
    const bytes = (name: string, file: string) =>
      fetch(`${splitter.url}/artifacts/${name}/data/${file}`).then(
        async (r) => new Uint8Array(await r.arrayBuffer()),
      );
    const trainLabels = await bytes('with-extra', train.labels.file);
    expect([...trainLabels.subarray(30)]).toEqual([4, 4, 4, 4, 4, 4]);
    expect([...trainLabels.subarray(0, 30)]).toEqual([
      ...(await bytes('plain', train.labels.file)),
    ]);
    const rowBytes = (train.images.dtype === 'float32' ? 4 : 1) * 784;
    const images = await bytes('with-extra', train.images.file);
    expect(images.length).toBe(36 * rowBytes);
  });

  it('refuses extra images of another size', async () => {
    await buildArtifact(labels.url, 'small', { count: 2, size: 8 });
    expect(await failure('small-extra', { extra: artifactUrl(labels.url, 'small') })).toMatch(
      /extra train-images: 2x8x8 images, but the dataset's are of 784 pixels/,
    );
  });
});
