import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiln, Topology, isKilnApiError, parseArtifactUrl } from '../src/index.js';
import { Fixture, startFixture, tempDir, type FixtureServer } from './support/servers.js';

// A real core server known to the client as the compose service `echo`, reached on its loopback
// port through the topology: what every Kiln container does with the URLs references carry.
let server: FixtureServer;
let topology: Topology;
let dir: string;

beforeAll(async () => {
  server = await startFixture(Fixture.Echo);
  topology = new Topology({ services: [{ name: 'echo', address: server.url }] });
  dir = await tempDir('topology');
  const tool = Kiln.direct(server.url).container();
  await tool.create({ name: 'made', parameters: { message: 'made', steps: 3 } });
  await tool.create({ name: 'two', parameters: { message: 'two', files: 2 } });
  await tool.wait('made');
  await tool.wait('two');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the client with a topology', () => {
  it('reaches a compose URL at its address, and hands URLs out in compose form', async () => {
    const echo = Kiln.direct('http://echo:8080', { topology }).container();
    expect((await echo.describe()).name).toBe('echo');
    expect(echo.artifactUrl('made')).toBe('http://echo:8080/artifacts/made/');
    // Opened by its address, a service's URLs are still handed out in compose form.
    const byAddress = Kiln.direct(server.url, { topology }).container();
    expect(byAddress.url).toBe('http://echo:8080');
    expect(byAddress.artifactUrl('made')).toBe('http://echo:8080/artifacts/made/');
  });

  it('opens an artifact by its reference URL', async () => {
    const { client, name, url } = Kiln.artifactAt('http://echo:8080/artifacts/made/', {
      topology,
    });
    expect([name, url, client.collection]).toEqual([
      'made',
      'http://echo:8080/artifacts/made/',
      'artifacts',
    ]);
    expect((await client.get(name)).status).toBe('completed');
    expect(parseArtifactUrl('http://gw:8080/containers/p/runs/r-1')).toEqual({
      base: 'http://gw:8080/containers/p',
      collection: 'runs',
      name: 'r-1',
    });
    for (const bad of ['http://echo:8080/health', 'ftp://echo/artifacts/a/', 'nope']) {
      const error = (() => {
        try {
          return parseArtifactUrl(bad);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isKilnApiError(error) && error.code, bad).toBe('INVALID_PATH');
    }
  });

  it('reads raw log bytes from an offset, and one long-poll of the status', async () => {
    const echo = Kiln.direct('http://echo:8080', { topology }).container();
    const whole = await echo.log('made');
    const head = await echo.logBytes('made', { offset: 0 });
    expect(head.toString('utf8')).toBe(whole);
    const tail = await echo.logBytes('made', { offset: 7 });
    expect(tail).toEqual(head.subarray(7));
    expect((await echo.logBytes('made', { offset: head.length + 10 })).length).toBe(0);
    expect((await echo.status('made', { wait: 1 })).status).toBe('completed');
  });

  it('streams a metric view with its headers, and downloads a single file into a folder', async () => {
    const echo = Kiln.direct('http://echo:8080', { topology }).container();
    const csv = await echo.metricStream('made', 'loss', 'csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/csv/);
    const chunks: Buffer[] = [];
    for await (const chunk of csv.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toMatch(/^step,value,time\n0,1,/);
    const missing = await echo.metricStream('made', 'nope', 'csv').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404 });

    const result = await echo.download('made', join(dir, 'made'), { folder: true });
    expect(result.kind).toBe('folder');
    expect(await readdir(join(dir, 'made'))).toEqual(['message.txt']);
    expect(await readFile(join(dir, 'made', 'message.txt'), 'utf8')).toBe('made\n');
    await echo.download('two', join(dir, 'two'), { folder: true });
    expect((await readdir(join(dir, 'two'))).sort()).toEqual(['message.txt', 'parts']);
  });
});
