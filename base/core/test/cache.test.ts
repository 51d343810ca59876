import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, startServer, waitFinal } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let base: string;

beforeAll(async () => {
  server = await startServer('echo-tool.mjs');
  base = server.url;
});
afterAll(async () => server.stop());

describe('cache', () => {
  it('reuses a completed artifact with the same parameters, defaults applied', async () => {
    await create(base, { name: 'cache-source', parameters: { text: 'cached', files: 2 } });
    await waitFinal(base, 'cache-source');
    const hit = await create(base, {
      name: 'cache-hit',
      parameters: { files: 2, text: 'cached', epochs: 3 },
      cache: true,
    });
    expect(hit).toMatchObject({ status: 'completed', cached: true, cachedFrom: 'cache-source' });
    const record = (await (await fetch(`${base}/artifacts/cache-hit/`)).json()) as ArtifactRecord;
    const source = (await (
      await fetch(`${base}/artifacts/cache-source/`)
    ).json()) as ArtifactRecord;
    expect(record.digest).toBe(source.digest);
    expect(await (await fetch(`${base}/artifacts/cache-hit/data/out-1.txt`)).text()).toBe(
      'cached 1\n',
    );
    const miss = await create(base, {
      name: 'cache-miss',
      parameters: { text: 'other' },
      cache: true,
    });
    expect(miss.cached).toBe(false);
    const noCache = await create(base, {
      name: 'cache-off',
      parameters: { text: 'cached', files: 2 },
    });
    expect(noCache.status).toBe('queued');
  });
});

describe('cache with references', () => {
  it('keys a reference by its data digest, not its URL', async () => {
    // cache-source and cache-hit hold the same data under two URLs.
    await create(base, {
      name: 'ref-first',
      parameters: { source: `${base}/artifacts/cache-source/` },
    });
    expect((await waitFinal(base, 'ref-first')).status).toBe('completed');
    const hit = await create(base, {
      name: 'ref-second',
      parameters: { source: `${base}/artifacts/cache-hit/` },
      cache: true,
    });
    expect(hit).toMatchObject({ cached: true, cachedFrom: 'ref-first' });
  });
});
