import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DATASET_DIR } from '@kiln/fashion-mnist';
import { writeTinyFashionMnist } from '@kiln/fashion-mnist/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSources } from './idx-sources.js';

describe('resolveSources', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-sources-'));
    await writeTinyFashionMnist(join(dir, 'system'), { train: 10, test: 10, gzip: false });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('auto takes the system folder when it holds the four files', async () => {
    const resolved = await resolveSources(
      { source: 'auto' },
      { systemDir: join(dir, 'system'), inputFiles: {} },
    );
    expect(resolved.kind).toBe('system');
    expect(resolved.files['train-images'].location).toBe(
      join(dir, 'system', 'train-images-idx3-ubyte'),
    );
  });

  it('auto falls back to the bundled subset', async () => {
    const resolved = await resolveSources(
      { source: 'auto' },
      { systemDir: join(dir, 'none'), inputFiles: {} },
    );
    expect(resolved.kind).toBe('bundled');
    expect(resolved.files['test-labels'].location).toBe(
      join(BUNDLED_DATASET_DIR, 't10k-labels-idx1-ubyte.gz'),
    );
  });

  it('builds URLs from a base URL and names what a folder lacks', async () => {
    const resolved = await resolveSources(
      { source: 'url', url: 'http://example.test/fm' },
      { systemDir: '', inputFiles: {} },
    );
    expect(resolved.files['test-images'].location).toBe(
      'http://example.test/fm/t10k-images-idx3-ubyte.gz',
    );
    await expect(
      resolveSources({ source: 'path', path: dir }, { systemDir: '', inputFiles: {} }),
    ).rejects.toThrow(/missing train-images-idx3-ubyte\[.gz\], train-labels-idx1-ubyte\[.gz\]/);
  });
});
