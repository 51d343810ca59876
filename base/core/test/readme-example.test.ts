import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { create, FIXTURES, startServer, waitFinal } from './helpers.js';

// The README's worked example is the fixture below, byte for byte, and it works.
let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer('readme-greeting-tool.mjs');
});
afterAll(async () => server.stop());

it('keeps the README example identical to the tested fixture', async () => {
  const readme = await readFile(join(FIXTURES, '..', '..', 'README.md'), 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBe(await readFile(join(FIXTURES, 'readme-greeting-tool.mjs'), 'utf8'));
});

it('builds the README example', async () => {
  await create(server.url, { name: 'hi', parameters: { names: ['ada', 'alan'] } });
  expect((await waitFinal(server.url, 'hi')).status).toBe('completed');
  expect(await (await fetch(`${server.url}/artifacts/hi/data/ada.txt`)).text()).toBe('hello ada\n');
  expect(await (await fetch(`${server.url}/artifacts/hi/metrics/summary/json`)).json()).toEqual({
    count: 2,
  });
});
