import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSet } from './dataset-manifest.js';
import { fillBatch, loadInMemorySet, rowRange } from './in-memory-set.js';
import { writeTensorFile } from './tensor-io.js';

describe('in-memory sets', () => {
  let dir: string;
  const set: DatasetSet = {
    count: 3,
    images: { file: 'x.u8', dtype: 'uint8', shape: [3, 2], encoding: { scale: 1, offset: 0 } },
    labels: { file: 'y.u8', dtype: 'uint8', shape: [3] },
    classCounts: [1, 1, 1],
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-set-'));
    await writeTensorFile(join(dir, 'x.u8'), Uint8Array.of(0, 255, 51, 102, 255, 0));
    await writeTensorFile(join(dir, 'y.u8'), Uint8Array.of(2, 0, 1));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fills normalised batches of chosen rows', async () => {
    const loaded = await loadInMemorySet(dir, set, { scale: 1 / 255, offset: -0.5 });
    const x = new Float32Array(4);
    const y = new Int32Array(2);
    expect(fillBatch(loaded, [2, 0], x, y)).toBe(2);
    expect([...x].map((v) => Number(v.toFixed(3)))).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect([...y]).toEqual([1, 2]);
    expect([...rowRange(loaded, 2, 5)]).toEqual([2]);
  });
});
