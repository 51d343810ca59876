import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiln } from '../src/index.js';
import {
  Fixture,
  spawnDashboard,
  spawnGateway,
  spawnServer,
  startFixture,
  tempDir,
  type FixtureServer,
  type SpawnedServer,
} from './support/servers.js';

const TOKEN = 'test-token';
let echo: FixtureServer;
let pipeline: FixtureServer;
let dashboard: SpawnedServer;
let gone: SpawnedServer;
let gateway: SpawnedServer;
let dir: string;

beforeAll(async () => {
  dir = await tempDir('gateway');
  echo = await startFixture(Fixture.Echo);
  pipeline = await startFixture(Fixture.Pipeline);
  dashboard = await spawnDashboard({ 'echo-pipeline': pipeline.url });
  gone = await spawnServer(Fixture.Echo, join(dir, 'gone'));
  gateway = await spawnGateway(
    { echo: echo.url, 'echo-pipeline': pipeline.url, gone: gone.url },
    { KILN_TOKEN: TOKEN, KILN_DASHBOARD_URL: dashboard.url },
  );
  await gone.kill();
});
afterAll(async () => {
  await gateway?.kill();
  await dashboard?.kill();
  await gone?.kill();
  await echo?.close();
  await pipeline?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the SDK through the gateway', () => {
  it('lists pipelines and drives a tool by name, with the token', async () => {
    const kiln = new Kiln(gateway.url, { token: TOKEN });
    expect((await kiln.pipelines()).map((p) => p.name)).toEqual(['echo-pipeline']);
    const tool = kiln.container('echo');
    expect(tool.artifactUrl('a')).toBe(`${gateway.url}/containers/echo/artifacts/a/`);
    await tool.create({ name: 'via-gateway', parameters: { message: 'proxied', files: 2 } });
    const lines: string[] = [];
    for await (const line of tool.followLog('via-gateway')) lines.push(line);
    expect(lines.at(-1)).toBe('done');
    expect((await tool.wait('via-gateway')).status).toBe('completed');
    const result = await tool.download('via-gateway', join(dir, 'out'));
    expect(await readFile(join(dir, 'out', 'message.txt'), 'utf8')).toBe('proxied\n');
    expect(result.digest).toBe((await tool.get('via-gateway')).digest);
  });

  it('opens a pipeline by name and runs it', async () => {
    const client = await new Kiln(gateway.url, { token: TOKEN }).open('echo-pipeline');
    expect(client.collection).toBe('runs');
    // The run document holds a container URL, which the gateway rewrites in JSON it passes on.
    await client.create({ name: 'gw-run', parameters: { message: `${echo.url}/artifacts/x/` } });
    expect((await client.wait('gw-run')).status).toBe('completed');
    const result = await client.download('gw-run', join(dir, 'run.json'));
    expect(JSON.parse(await readFile(result.path, 'utf8'))).toMatchObject({
      message: `${echo.url}/artifacts/x/`,
    });
    expect(result.digest).toBe((await client.get('gw-run')).digest);
  });

  it('reports a missing token, an unknown container and one that does not answer', async () => {
    const anonymous = new Kiln(gateway.url).container('echo');
    expect(await anonymous.list().catch((e: unknown) => e)).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
    const kiln = new Kiln(gateway.url, { token: TOKEN, retries: 1, retryDelay: 10 });
    expect(
      await kiln
        .container('nope')
        .list()
        .catch((e: unknown) => e),
    ).toMatchObject({ status: 404, code: 'CONTAINER_NOT_FOUND' });
    expect(
      await kiln
        .container('gone')
        .list()
        .catch((e: unknown) => e),
    ).toMatchObject({ status: 502, code: 'CONTAINER_UNAVAILABLE', retryable: true });
  });
});
