import { SILENT_LOGGER, startToolServer } from '@kiln/core';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
const ROOT = resolve(HERE, '../../../..');
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
  const server = await startToolServer({
    modulePath: module,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    logger: SILENT_LOGGER,
  });
  return {
    url: server.url,
    dataDir,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server process in its own process group, so a test can kill it (children included) at will. */
export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** SIGKILLs the whole process group: the server goes away at once. */
  kill(): Promise<void>;
}

/** `kiln serve <module>` as a separate process. */
export function spawnServer(module: string, dataDir: string, port = 0): Promise<SpawnedServer> {
  return spawnListening(
    [KILN_MAIN, 'serve', module, '--port', String(port), '--data', dataDir],
    {},
  );
}

/** The gateway (`containers/gateway/dist/main.js`) in front of `containers`. */
export function spawnGateway(
  containers: Record<string, string>,
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  const urls = Object.entries(containers)
    .map(([name, url]) => `${name}=${url}`)
    .join(',');
  return spawnListening([join(ROOT, 'containers/gateway/dist/main.js')], {
    PORT: '0',
    HOST: '127.0.0.1',
    KILN_CONTAINER_URLS: urls,
    ...env,
  });
}

/** The dashboard (`containers/dashboard/dist/main.js`), for `/pipelines/`. */
export function spawnDashboard(pipelines: Record<string, string>): Promise<SpawnedServer> {
  const urls = Object.entries(pipelines)
    .map(([name, url]) => `${name}=${url}`)
    .join(',');
  return spawnListening([join(ROOT, 'containers/dashboard/dist/main.js')], {
    PORT: '0',
    HOST: '127.0.0.1',
    KILN_PIPELINE_URLS: urls,
  });
}

/** Starts `node <args>` and resolves with the URL of its first `listening on <url>` line. */
async function spawnListening(args: string[], env: Record<string, string>): Promise<SpawnedServer> {
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s,)]+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1].replace(/\/$/, ''));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)),
    );
  });
  return {
    url,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid!, 'SIGKILL');
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
