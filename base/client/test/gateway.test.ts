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
  writeProject,
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
  pipeline = await startFixture(Fixture.Pipeline, {
    services: [{ name: 'echo', address: echo.url }],
  });
  gone = await spawnServer(Fixture.Echo, join(dir, 'gone'));
  const project = await writeProject(dir, {
    echo: echo.url,
    'echo-pipeline': pipeline.url,
    gone: gone.url,
  });
  dashboard = await spawnDashboard(project);
  gateway = await spawnGateway(project, { KILN_TOKEN: TOKEN });
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

  it('opens a pipeline by name and runs it, its steps shown as links through the gateway', async () => {
    const kiln = new Kiln(gateway.url, { token: TOKEN });
    const client = await kiln.open('echo-pipeline');
    expect(client.collection).toBe('runs');
    await client.create({ name: 'gw-run', parameters: { message: 'through' } });
    expect((await client.wait('gw-run')).status).toBe('completed');
    // The steps hold compose URLs, which the gateway turns into its own links.
    const steps = await kiln.pipeline('echo-pipeline').steps('gw-run');
    expect(steps.map((step) => step.url)).toEqual([
      `${gateway.url}/containers/echo/artifacts/gw-run-prepare/`,
      `${gateway.url}/containers/echo/artifacts/gw-run-echo/`,
    ]);
    // The run's data passes byte for byte: it carries the compose URL and the gateway link.
    const result = await client.download('gw-run', join(dir, 'run.json'));
    expect(JSON.parse(await readFile(result.path, 'utf8'))).toMatchObject({
      artifacts: { echo: 'http://echo:8080/artifacts/gw-run-echo/' },
      links: { echo: '/containers/echo/artifacts/gw-run-echo/' },
      figures: { message: 'through' },
    });
    expect(result.digest).toBe((await client.get('gw-run')).digest);
  });

  it('lists every container of the project, a tool no pipeline uses included', async () => {
    const containers = await new Kiln(gateway.url, { token: TOKEN }).containers();
    expect(containers.map((c) => [c.name, c.kind, c.healthy, c.pipelines])).toEqual([
      ['echo', 'tool', true, ['echo-pipeline']],
      ['echo-pipeline', 'pipeline', true, []],
      ['gone', null, false, []],
    ]);
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
