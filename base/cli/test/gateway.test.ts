import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
/* eslint-disable import-x/no-relative-packages -- the client's test servers are shared test support, not package API */
import {
  Fixture,
  spawnDashboard,
  spawnGateway,
  startFixture,
  tempDir,
  writeProject,
  type FixtureServer,
  type SpawnedServer,
} from '../../client/test/support/servers.js';
/* eslint-enable import-x/no-relative-packages */
import { oneErrorLine, runKiln } from './support/run-kiln.js';

const TOKEN = 'cli-token';
let echo: FixtureServer;
let notes: FixtureServer;
let pipeline: FixtureServer;
let dashboard: SpawnedServer;
let gateway: SpawnedServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('cli-gateway');
  echo = await startFixture(Fixture.Echo);
  // A tool no pipeline uses: `kiln ls` lists it all the same.
  notes = await startFixture(Fixture.Echo);
  pipeline = await startFixture(Fixture.Pipeline, {
    services: [{ name: 'echo', address: echo.url }],
  });
  const project = await writeProject(dir, {
    'echo-pipeline': pipeline.url,
    echo: echo.url,
    notes: notes.url,
  });
  dashboard = await spawnDashboard(project);
  gateway = await spawnGateway(project, { KILN_TOKEN: TOKEN });
  env = { KILN_URL: gateway.url, KILN_TOKEN: TOKEN };
});
afterAll(async () => {
  await gateway?.kill();
  await dashboard?.kill();
  await echo?.close();
  await notes?.close();
  await pipeline?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kiln through the gateway (KILN_URL, KILN_TOKEN)', () => {
  it('lists the containers behind it', async () => {
    const listed = await runKiln(['ls'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+KIND\s+MAKES\s+HEALTHY\s+USED BY\n/);
    expect(listed.stdout).toMatch(/echo-pipeline\s+pipeline\s+run\s+yes\s+-/);
    expect(listed.stdout).toMatch(/echo\s+tool \(data\)\s+text\s+yes\s+echo-pipeline/);
    expect(listed.stdout).toMatch(/notes\s+tool\s+text\s+yes\s+-\n/);
  });

  it('creates, waits and downloads by container name', async () => {
    const created = await runKiln(['create', 'echo', 'gw-a', '--param', 'files=2', '--wait'], {
      env,
    });
    expect(created).toMatchObject({ code: 0, stdout: 'gw-a\n' });
    const download = await runKiln(['download', 'echo', 'gw-a', '--json'], { env, cwd: dir });
    expect(JSON.parse(download.stdout)).toMatchObject({ kind: 'folder', path: join(dir, 'gw-a') });
    const run = await runKiln(['run', 'echo-pipeline', '--wait'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/ step echo \(echo\): completed$/m);
  });

  it('takes --url and --token too, and says when the token is missing', async () => {
    const flags = await runKiln(['--url', gateway.url, '--token', TOKEN, 'status', 'echo', 'gw-a']);
    expect(flags).toMatchObject({ code: 0, stdout: 'echo/gw-a: completed\n' });
    const anonymous = await runKiln(['ls', 'echo'], { env: { KILN_URL: gateway.url } });
    expect(anonymous.code).toBe(1);
    expect(oneErrorLine(anonymous)).toMatch(/\(401\)$/);
    const unknown = await runKiln(['ls', 'nope'], { env });
    expect(unknown.code).toBe(1);
    expect(oneErrorLine(unknown)).toMatch(/nope.*\(404\)$/);
  });
});
