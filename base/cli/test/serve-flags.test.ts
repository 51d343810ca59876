import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line import-x/no-relative-packages -- the client's test servers are shared test support, not package API
import { KILN_MAIN } from '../../client/test/support/servers.js';
import { oneErrorLine, runKiln } from './support/run-kiln.js';

const NOOP_TOOL = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'core',
  'test',
  'fixtures',
  'noop-tool.mjs',
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-serve-flags-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** `kiln serve` with `args` on a data folder that must never be made: it refuses first. */
async function refused(args: string[], env: Record<string, string> = {}): Promise<string> {
  const data = join(dir, 'never-made');
  const run = await runKiln(['serve', NOOP_TOOL, '--port', '0', '--data', data, ...args], { env });
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(existsSync(data)).toBe(false);
  return oneErrorLine(run);
}

describe('kiln serve refuses bad worker settings at start, with one line', () => {
  it.each([
    [['--workers', '0'], "kiln: --workers must be an integer from 1 to 256, got '0'"],
    [['--workers', '-2'], "kiln: --workers must be an integer from 1 to 256, got '-2'"],
    [['--workers', '100000'], "kiln: --workers must be an integer from 1 to 256, got '100000'"],
    [['--workers', '1.5'], "kiln: --workers must be an integer from 1 to 256, got '1.5'"],
    [['--workers', 'many'], "kiln: --workers must be an integer from 1 to 256, got 'many'"],
    [['--gpus', '0,1,0'], 'kiln: --gpus lists GPU 0 twice'],
    [
      ['--gpus', '0,one'],
      "kiln: --gpus must list GPU indices (integers from 0) separated by commas, got '0,one'",
    ],
    [
      ['--gpus', '-1'],
      "kiln: --gpus must list GPU indices (integers from 0) separated by commas, got '-1'",
    ],
    [
      ['--gpus', '0,1', '--workers', '3'],
      'kiln: 3 workers but 2 GPUs (0,1): each worker gets its own GPU, so at most 2 workers',
    ],
    [
      ['--mule-idle-ms', 'soon'],
      "kiln: --mule-idle-ms must be a whole number of milliseconds from 0, got 'soon'",
    ],
  ])('%j', async (args, line) => {
    expect(await refused(args)).toBe(line);
  });

  it('reads KILN_WORKERS, KILN_GPUS and KILN_MULE_IDLE_MS the same way, naming them', async () => {
    expect(await refused([], { KILN_WORKERS: '0' })).toBe(
      "kiln: KILN_WORKERS must be an integer from 1 to 256, got '0'",
    );
    expect(await refused([], { KILN_GPUS: '2,2' })).toBe('kiln: KILN_GPUS lists GPU 2 twice');
    expect(await refused([], { KILN_MULE_IDLE_MS: '-1' })).toBe(
      "kiln: KILN_MULE_IDLE_MS must be a whole number of milliseconds from 0, got '-1'",
    );
    // A flag wins over its variable.
    expect(await refused(['--workers', '0'], { KILN_WORKERS: '2' })).toMatch(/^kiln: --workers/);
  });
});

describe('kiln serve passes worker settings on', () => {
  it('serves with one worker per GPU of --gpus, and KILN_WORKERS when no flag says', async () => {
    for (const [args, env, workers] of [
      [['--gpus', '4,5,6'], {}, 3],
      [[], { KILN_WORKERS: '2', KILN_MULE_IDLE_MS: '0' }, 2],
    ] as const) {
      const child = spawn(
        process.execPath,
        [
          KILN_MAIN,
          'serve',
          NOOP_TOOL,
          '--port',
          '0',
          '--data',
          join(dir, `ok-${workers}`),
          ...args,
        ],
        { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      try {
        const url = await new Promise<string>((done, fail) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /listening on (http:\/\/\S+)/.exec(out);
            if (match?.[1]) done(match[1]);
          });
          child.once('exit', (code) => fail(new Error(`kiln serve exited with ${code}`)));
        });
        expect(await (await fetch(`${url}/health`)).json()).toMatchObject({
          status: 'ok',
          workers,
        });
      } finally {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
