import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiln } from '../src/index.js';
import { Fixture, freePort, spawnServer, tempDir, type SpawnedServer } from './support/servers.js';

const FAST_RETRIES = { retries: 3, retryDelay: 50, maxRetryDelay: 200 };
let dir: string;
const servers: SpawnedServer[] = [];

beforeAll(async () => {
  dir = await tempDir('resilience');
});
afterAll(async () => {
  for (const server of servers) await server.kill();
  await rm(dir, { recursive: true, force: true });
});

async function spawnEcho(name: string, port = 0): Promise<SpawnedServer> {
  const server = await spawnServer(Fixture.Echo, join(dir, name), port);
  servers.push(server);
  return server;
}

describe('a container that goes away', () => {
  it('fails a wait in flight with CONNECTION_FAILED once retries are spent', async () => {
    const server = await spawnEcho('wait');
    const tool = Kiln.direct(server.url, FAST_RETRIES).container();
    await tool.create({ name: 'forever', parameters: { block: true } });
    const waiting = tool.wait('forever');
    await server.kill();
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', status: 502, retryable: true });
    expect((error as Error).message).toContain(server.url);
  });

  it('fails a log follow in flight with CONNECTION_FAILED', async () => {
    const server = await spawnEcho('follow');
    const tool = Kiln.direct(server.url, FAST_RETRIES).container();
    await tool.create({ name: 'forever', parameters: { block: true, steps: 1 } });
    const lines: string[] = [];
    const error = await (async () => {
      for await (const line of tool.followLog('forever')) {
        lines.push(line);
        await server.kill();
      }
    })().catch((e: unknown) => e);
    expect(lines).toEqual(['step 0: hello']);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
  });

  it('retries an idempotent request until the container is back', async () => {
    const port = await freePort();
    const tool = Kiln.direct(`http://127.0.0.1:${port}`, {
      retries: 40,
      retryDelay: 100,
      maxRetryDelay: 250,
    }).container();
    // The first attempts are refused; the server starting meanwhile answers a later one.
    const describing = tool.describe();
    await spawnEcho('late', port);
    expect((await describing).name).toBe('echo');
  });

  it('does not retry a create (a POST may have been applied)', async () => {
    const port = await freePort();
    // A retry would wait 5 s first: an answer well before that means none was made.
    const tool = Kiln.direct(`http://127.0.0.1:${port}`, {
      retries: 3,
      retryDelay: 5_000,
    }).container();
    const started = Date.now();
    const error = await tool.create({ name: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});
