import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countClasses,
  readDatasetManifest,
  requireSet,
  writeDatasetManifest,
} from './dataset-io.js';
import { DATASET_FORMAT, type DatasetManifest } from './dataset-manifest.js';
import { readTensorFile, writeTensorFile } from './tensor-io.js';

function manifest(count: number): DatasetManifest {
  return {
    format: DATASET_FORMAT,
    stage: 'export',
    classes: ['a', 'b'],
    imageShape: [2, 2],
    normalization: { method: 'unit', scale: 1 / 255, offset: 0 },
    sets: {
      train: {
        count,
        images: {
          file: 'x.f32',
          dtype: 'float32',
          shape: [count, 2, 2],
          encoding: { scale: 1 / 255, offset: 0 },
        },
        labels: { file: 'y.u8', dtype: 'uint8', shape: [count] },
        classCounts: [1, 1],
      },
    },
    provenance: {},
  };
}

describe('dataset manifests', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-manifest-'));
    await writeTensorFile(join(dir, 'x.f32'), new Float32Array([0, 0.5, 1, 0.25, 1, 1, 1, 1]));
    await writeTensorFile(join(dir, 'y.u8'), Uint8Array.of(0, 1));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a manifest and its tensors', async () => {
    await writeDatasetManifest(dir, manifest(2));
    const read = await readDatasetManifest(dir);
    const set = requireSet(read, 'train');
    const x = await readTensorFile(dir, set.images as typeof set.images & { dtype: 'float32' });
    expect(x[1]).toBe(0.5);
    expect(() => requireSet(read, 'test')).toThrow(/has no 'test' set \(it has: train\)/);
  });

  it('refuses a folder without a manifest, with a wrong format, or with a short file', async () => {
    await expect(readDatasetManifest(dir, 'dataset')).rejects.toThrow(/dataset: no manifest.json/);
    await writeFile(join(dir, 'manifest.json'), '{"format":"other"}');
    await expect(readDatasetManifest(dir)).rejects.toThrow(/not a kiln-fashion-mnist\/v1 manifest/);
    const m = manifest(2);
    m.sets['train']!.labels.shape = [3];
    await writeDatasetManifest(dir, m);
    await expect(readDatasetManifest(dir)).rejects.toThrow(
      /declares 2 items but 2 images and 3 labels/,
    );
    await writeTensorFile(join(dir, 'y.u8'), Uint8Array.of(0));
    await writeDatasetManifest(dir, manifest(2));
    await expect(readDatasetManifest(dir)).rejects.toThrow(
      /y.u8: holds 1 bytes but its manifest declares uint8 2 \(2 bytes\)/,
    );
  });

  it('counts classes', () => {
    expect(countClasses(Uint8Array.of(0, 2, 2, 1), 4)).toEqual([1, 1, 2, 0]);
  });
});
