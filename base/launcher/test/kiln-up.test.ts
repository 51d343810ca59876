import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const COMPOSE = fileURLToPath(new URL('./fixtures/project/docker-compose.yml', import.meta.url));
const temporary: string[] = [];

afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('kiln up', () => {
  it('starts the project, prints its URL, and stops everything on Ctrl-C', async () => {
    const data = await mkdtemp(join(tmpdir(), 'kiln-up-'));
    temporary.push(data);
    const child = spawn(
      process.execPath,
      [CLI, 'up', '-f', COMPOSE, '--port', '0', '--base-port', '0', '-d', data, '--token', 'tok'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KILN_TOKEN: '' },
      },
    );
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const match = /Kiln is up: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect(out).toContain('sign in with the token in KILN_TOKEN');
      expect(out).toMatch(/^front +\| front listening on /m);
      expect((await fetch(`${url}health`)).status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(out).toMatch(/kiln +\| stopped\n/);
      await expect(fetch(`${url}health`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('explains a project that cannot start and exits 1', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'up', '-f', fileURLToPath(new URL('./fixtures/project/cycle.yml', import.meta.url))],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toContain('dependency cycle: a → b → a');
  });
});
