import { SILENT_LOGGER, startToolServer } from '@kiln/core';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = resolve(HERE, '../../../..');
/** The built `kiln` command. */
export const KILN_MAIN = join(ROOT, 'base/cli/dist/main.js');

/** The fixture modules of these tests. */
export const Fixture = {
  Echo: join(HERE, '../fixtures/echo-tool.mjs'),
  Pipeline: join(HERE, '../fixtures/pipeline-fixture.mjs'),
} as const;

/** A temporary folder, removed by `cleanup()`. */
export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kiln-${prefix}-`));
}

/** A core server for `module`, in this process (its mule is a child). */
export interface FixtureServer {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startFixture(module: string): Promise<FixtureServer> {
  const dataDir = await tempDir('data');
  const server = await startToolServer({ modulePath: module, dataDir, port: 0, host: '127.0.0.1', logger: SILENT_LOGGER });
  return {
    url: server.url,
    dataDir,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `kiln serve` as a separate process group, so a test can kill it (mule included) at will. */
export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** SIGKILLs the whole process group: the container goes away at once. */
  kill(): Promise<void>;
}

export async function spawnServer(module: string, dataDir: string, port = 0): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [KILN_MAIN, 'serve', module, '--port', String(port), '--data', dataDir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kiln serve exited with ${code}: ${out}`)));
  });
  return {
    url,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** A FIFO: a build that reads it waits until the test writes to it. */
export function makeFifo(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}
