import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line import-x/no-relative-packages -- the PostgreSQL server of core's cluster tests, shared rather than copied
import { startPostgres, type TestPostgres } from '../../../core/test/support/postgres-server.mjs';
import { docExample, ROOT, shellCommands } from './doc-examples.js';
import { freePort, ShellSession } from './shell-session.js';

// docs/cluster.md's local cluster, run as a reader types it: two replicas of the README's tool on
// one folder and one PostgreSQL (this test's own, on the port the page's URL names replaced by
// its own; the page's user and password are kept, which the test server's trust login accepts).
let database: TestPostgres;
let work: string;
let shell: ShellSession;

beforeAll(async () => {
  database = await startPostgres();
  await mkdir(join(ROOT, 'test-output'), { recursive: true });
  work = await mkdtemp(join(ROOT, 'test-output', 'doc-cluster-'));
  shell = new ShellSession(work);
}, 60_000);
afterAll(async () => {
  await shell?.stop();
  await database?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('docs/cluster.md', () => {
  it('cluster-local: an artifact created on one replica is built and served by the other', async () => {
    await writeFile(join(work, 'hello.mjs'), (await docExample('readme-tool')).code);
    const ports = new Map([
      ['8081', String(await freePort())],
      ['8082', String(await freePort())],
    ]);
    const commands = shellCommands((await docExample('cluster-local')).code).map((command) =>
      command
        .replace(/127\.0\.0\.1:5432\//g, `127.0.0.1:${database.port}/`)
        .replace(/\b(8081|8082)\b/g, (port) => ports.get(port)!),
    );
    expect(commands.filter((command) => command.includes('--database-url'))).toHaveLength(2);
    const [created, waited, data] = await shell.run(commands);
    expect(JSON.parse(created!.stdout)).toMatchObject({ name: 'greeting', status: 'queued' });
    expect(JSON.parse(waited!.stdout)).toMatchObject({ name: 'greeting', status: 'completed' });
    expect(data!.stdout).toBe('hello world\n');
  }, 120_000);
});
