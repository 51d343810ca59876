import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureUpstream } from './fixtures/fixture-upstream.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

// The topology comes from a compose file, as in a real project; `up` is one of its services.
let dir: string;
let composeFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-gateway-main-'));
  composeFile = join(dir, 'docker-compose.yml');
  await writeFile(
    composeFile,
    'services:\n  gateway: { image: g, x-kiln: { role: gateway } }\n  up: { image: u }\n',
  );
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('gateway main', () => {
  it('reads its environment, serves, and stops cleanly on SIGTERM', async () => {
    const upstream = await startFixtureUpstream();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        KILN_COMPOSE_FILE: composeFile,
        KILN_SERVICE_ADDRESSES: `up=${upstream.url}`,
        KILN_TOKEN: 'tok',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      expect(out).toContain('(1 container, token required)');
      expect((await fetch(`${url}/containers/up/health`)).status).toBe(401);
      expect(
        (await fetch(`${url}/containers/up/health`, { headers: { authorization: 'Bearer tok' } }))
          .status,
      ).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('refuses a malformed KILN_SERVICE_ADDRESSES at start', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: '0',
        KILN_COMPOSE_FILE: composeFile,
        KILN_SERVICE_ADDRESSES: 'oops',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toContain('not a name=url pair');
  });
});
