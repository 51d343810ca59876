import { SILENT_LOGGER, startToolServer } from '@kiln/core';
import type { TopologyDescription } from '@kiln/topology';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/** `topology`: the project the server is part of (a pipeline reaches its containers through it). */
export async function startFixture(
  module: string,
  topology?: TopologyDescription,
): Promise<FixtureServer> {
  const dataDir = await tempDir('data');
  const server = await startToolServer({
    modulePath: module,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    logger: SILENT_LOGGER,
    ...(topology ? { topology } : {}),
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

/**
 * A test project as a gateway and a dashboard learn it: a compose file naming the services
 * (`gateway` and `dashboard` with their roles, then each container) and where each listens.
 */
export interface TestProject {
  composeFile: string;
  /** Service name → its loopback URL. */
  addresses: Record<string, string>;
}

/** Writes the compose file of a project holding `containers` (name → URL) into `dir`. */
export async function writeProject(
  dir: string,
  containers: Record<string, string>,
): Promise<TestProject> {
  const composeFile = join(dir, 'docker-compose.yml');
  const services = Object.keys(containers).map((name) => `  ${name}: { image: kiln/${name} }`);
  await writeFile(
    composeFile,
    [
      'name: client-test',
      'services:',
      '  gateway: { image: kiln/gateway, x-kiln: { role: gateway } }',
      '  dashboard: { image: kiln/dashboard, x-kiln: { role: dashboard } }',
      ...services,
      '',
    ].join('\n'),
  );
  return { composeFile, addresses: { ...containers } };
}

/** The environment that gives a container's main.ts the project's topology. */
function topologyEnv(project: TestProject): Record<string, string> {
  return {
    KILN_COMPOSE_FILE: project.composeFile,
    KILN_SERVICE_ADDRESSES: Object.entries(project.addresses)
      .map(([name, url]) => `${name}=${url}`)
      .join(','),
  };
}

/** The gateway (`containers/gateway/dist/main.js`) in front of the project. */
export function spawnGateway(
  project: TestProject,
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  return spawnListening([join(ROOT, 'containers/gateway/dist/main.js')], {
    PORT: '0',
    HOST: '127.0.0.1',
    ...topologyEnv(project),
    ...env,
  });
}

/** The dashboard (`containers/dashboard/dist/main.js`), for `/pipelines/` and `/containers/`. */
export async function spawnDashboard(project: TestProject): Promise<SpawnedServer> {
  const dashboard = await spawnListening([join(ROOT, 'containers/dashboard/dist/main.js')], {
    PORT: '0',
    HOST: '127.0.0.1',
    ...topologyEnv(project),
  });
  project.addresses['dashboard'] = dashboard.url;
  return dashboard;
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
