import { SILENT_LOGGER, startToolServer, type RunningToolServer } from '@kiln/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../dist/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const GATEWAY_MAIN = fileURLToPath(new URL('../../../gateway/dist/main.js', import.meta.url));
const VISUALIZATION_MAIN = fileURLToPath(
  new URL('../../../visualization/dist/main.js', import.meta.url),
);

/**
 * A small project for the dashboard's tests: a tool, a pipeline, the dashboard, the
 * visualization and the gateway.
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
  /** Made-up archived artifacts the pipeline's `/artifacts` adds. @defaultValue 0 */
  extraArtifacts?: number;
}

/** Listens on a free loopback port; resolves with the URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

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
  let dashboard: Server | undefined;
  let gateway: ChildProcess | undefined;
  let visualization: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    await stopChild(gateway);
    await stopChild(visualization);
    if (dashboard) {
      dashboard.closeAllConnections();
      await new Promise((resolve) => dashboard!.close(resolve));
    }
    for (const server of servers.reverse()) await server.close();
    await rm(dataRoot, { recursive: true, force: true });
  };
  try {
    const train = await startToolServer({
      modulePath: join(FIXTURES, 'train-tool.mjs'),
      dataDir: join(dataRoot, 'train'),
      port: 0,
      cancelGraceMs: 500,
    });
    servers.push(train);
    // the pipeline module reads these at its top level, in this process and in its mule
    process.env['KILN_FIXTURE_TRAIN_URL'] = train.url;
    process.env['KILN_FIXTURE_EXTRA_ARTIFACTS'] = String(options.extraArtifacts ?? 0);
    const pipeline = await startToolServer({
      modulePath: join(FIXTURES, 'demo-pipeline.mjs'),
      dataDir: join(dataRoot, 'demo'),
      port: 0,
    });
    servers.push(pipeline);
    dashboard = createApp({
      pipelines: [{ name: 'demo', url: pipeline.url }],
      logger: SILENT_LOGGER,
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => dashboard!.once('listening', resolve));
    const dashboardUrl = `http://127.0.0.1:${(dashboard.address() as AddressInfo).port}`;
    const tools = `demo=${pipeline.url},train=${train.url}`;
    const metrics = await spawnService(VISUALIZATION_MAIN, {
      PORT: '0',
      HOST: '127.0.0.1',
      KILN_CONTAINER_URLS: tools,
    });
    visualization = metrics.child;
    const started = await spawnService(GATEWAY_MAIN, {
      PORT: '0',
      HOST: '127.0.0.1',
      KILN_CONTAINER_URLS: `${tools},visualization=${metrics.url}`,
      KILN_DASHBOARD_URL: dashboardUrl,
      KILN_TOKEN: options.token ?? '',
    });
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
