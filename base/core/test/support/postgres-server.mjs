// A PostgreSQL server of a test's (or a benchmark's) own: Debian's `postgresql` package, initdb
// into a temporary folder, pg_ctl on a free loopback port, as the `postgres` user when run as
// root (PostgreSQL refuses to run as root). No Docker, no network beyond loopback.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The folder of initdb and pg_ctl: KILN_TEST_POSTGRES_BIN, else Debian's newest version. */
function binaries() {
  const given = process.env.KILN_TEST_POSTGRES_BIN;
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed: the cluster tests need initdb and pg_ctl ' +
        '(apt-get install postgresql, as .ci/run does; or set KILN_TEST_POSTGRES_BIN)',
    );
  }
  return join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/** Runs a PostgreSQL program, as `postgres` when this process is root. */
async function asPostgres(bin, program, args) {
  const path = join(bin, program);
  const root = process.getuid?.() === 0;
  try {
    return root
      ? await run('runuser', ['-u', 'postgres', '--', path, ...args])
      : await run(path, args);
  } catch (error) {
    throw new Error(`${program} failed: ${error.stderr || error.message}`, { cause: error });
  }
}

/**
 * Starts a server; resolves with its URL and ways to stop it, restart it, or kill it as a crash
 * would (`pg_ctl -m immediate`).
 * @param {{ fsync?: boolean }} [options] fsync is off unless asked (safe against a crash of the
 *   server, which is what tests do; only a crash of the machine could lose commits then)
 */
export async function startPostgres(options = {}) {
  const bin = binaries();
  const dir = await mkdtemp(join(tmpdir(), 'kiln-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout), Number(gid));
  }
  const data = join(dir, 'db');
  await asPostgres(bin, 'initdb', [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const port = await freePort();
  const settings = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${dir}`,
    '-c max_connections=300',
    `-c fsync=${options.fsync ? 'on' : 'off'}`,
  ].join(' ');
  const start = () =>
    asPostgres(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', settings, 'start']);
  const stopServer = (mode = 'fast') =>
    asPostgres(bin, 'pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await start();
  let running = true;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** Stops the server (`fast`: clean; `immediate`: as if it crashed). */
    async halt(mode = 'fast') {
      await stopServer(mode);
      running = false;
    },
    /** Starts it again on the same port, with the same data. */
    async resume() {
      await start();
      running = true;
    },
    /** Stops it and removes its folder. */
    async stop() {
      if (running) await stopServer('fast').catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
