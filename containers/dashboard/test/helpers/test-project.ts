import { SILENT_LOGGER, startToolServer, type RunningToolServer } from '@kiln/core';
import { loadTopology } from '@kiln/topology';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../dist/index.js';
import { startArchiveContainer } from './archive-container.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const GATEWAY_MAIN = fileURLToPath(new URL('../../../gateway/dist/main.js', import.meta.url));
const VISUALIZATION_MAIN = fileURLToPath(
  new URL('../../../visualization/dist/main.js', import.meta.url),
);

/**
 * A small project for the dashboard's tests: a trainer, an archive, a tool no pipeline uses,
 * a pipeline (the real runtime), the dashboard, the visualization and the gateway, all learning
 * the project from one compose file (and where each listens), as under `kiln up`.
 */
export interface TestProject {
  /** The gateway: where a browser goes. */
  url: string;
  dashboardUrl: string;
  trainUrl: string;
  pipelineUrl: string;
  close(): Promise<void>;
}

export interface TestProjectOptions {
  /** The project's token (KILN_TOKEN on the gateway). */
  token?: string;
  /** Made-up archived artifacts the archive container holds. @defaultValue 0 */
  extraArtifacts?: number;
}

/** The test project's compose file: the services, and the roles of those serving the project. */
const TEST_PROJECT_COMPOSE = `name: dashboard-test
services:
  gateway: { image: kiln/gateway, x-kiln: { role: gateway } }
  dashboard: { image: kiln/dashboard, x-kiln: { role: dashboard } }
  visualization: { image: kiln/visualization, x-kiln: { role: visualization } }
  demo: { image: kiln/pipeline }
  train: { image: kiln/train }
  archive: { image: kiln/archive }
  notes: { image: kiln/notes }
`;

/** Starts a process and resolves with the URL it prints (`listening on http://…`). */
function spawnService(
  main: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match?.[1]) resolve({ url: match[1], child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${main} exited with ${code}: ${output}`)));
  });
}

/** Stops a child process with SIGTERM and waits for it. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts the fixture trainer and pipeline (real core tool servers, in this process), the
 * dashboard (in this process) and the gateway (its own process) in front of them.
 */
export async function startTestProject(options: TestProjectOptions = {}): Promise<TestProject> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'kiln-dashboard-'));
  const servers: RunningToolServer[] = [];
  const plain: Server[] = [];
  let gateway: ChildProcess | undefined;
  let visualization: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    await stopChild(gateway);
    await stopChild(visualization);
    for (const server of plain) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    for (const server of servers.reverse()) await server.close();
    await rm(dataRoot, { recursive: true, force: true });
  };
  try {
    const composeFile = join(dataRoot, 'docker-compose.yml');
    await writeFile(composeFile, TEST_PROJECT_COMPOSE);
    const addresses: Record<string, string> = {};
    const train = await startToolServer({
      modulePath: join(FIXTURES, 'train-tool.mjs'),
      dataDir: join(dataRoot, 'train'),
      port: 0,
      cancelGraceMs: 500,
    });
    servers.push(train);
    addresses['train'] = train.url;
    const notes = await startToolServer({
      modulePath: join(FIXTURES, 'notes-tool.mjs'),
      dataDir: join(dataRoot, 'notes'),
      port: 0,
    });
    servers.push(notes);
    addresses['notes'] = notes.url;
    const archive = await startArchiveContainer(options.extraArtifacts ?? 0);
    plain.push(archive.server);
    addresses['archive'] = archive.url;
    const pipeline = await startToolServer({
      modulePath: join(FIXTURES, 'demo-pipeline.mjs'),
      dataDir: join(dataRoot, 'demo'),
      port: 0,
      topology: {
        services: Object.entries(addresses).map(([name, address]) => ({ name, address })),
      },
    });
    servers.push(pipeline);
    addresses['demo'] = pipeline.url;
    const dashboard = createApp({
      topology: await loadTopology({ composeFile, addresses: { ...addresses } }),
      logger: SILENT_LOGGER,
    }).listen(0, '127.0.0.1');
    plain.push(dashboard);
    await new Promise((resolve) => dashboard.once('listening', resolve));
    const dashboardUrl = `http://127.0.0.1:${(dashboard.address() as { port: number }).port}`;
    addresses['dashboard'] = dashboardUrl;
    const env = (): Record<string, string> => ({
      PORT: '0',
      HOST: '127.0.0.1',
      KILN_COMPOSE_FILE: composeFile,
      KILN_SERVICE_ADDRESSES: Object.entries(addresses)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
    });
    // The visualization reads the project without the archive: its made-up thousands are for
    // the tables, and asking each for its metrics would only slow the tests down.
    const withoutArchive = join(dataRoot, 'visualization-compose.yml');
    await writeFile(withoutArchive, TEST_PROJECT_COMPOSE.replace(/^ {2}archive:.*\n/m, ''));
    const { archive: _archive, ...others } = addresses;
    const metrics = await spawnService(VISUALIZATION_MAIN, {
      ...env(),
      KILN_COMPOSE_FILE: withoutArchive,
      KILN_SERVICE_ADDRESSES: Object.entries(others)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
    });
    visualization = metrics.child;
    addresses['visualization'] = metrics.url;
    const started = await spawnService(GATEWAY_MAIN, { ...env(), KILN_TOKEN: options.token ?? '' });
    gateway = started.child;
    return {
      url: started.url,
      dashboardUrl,
      trainUrl: train.url,
      pipelineUrl: pipeline.url,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
