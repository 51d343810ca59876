import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  LauncherError,
  ServiceState,
  startProject,
  type ProjectHandle,
  type ServiceEvent,
  type StartProjectOptions,
} from '../src/index.js';

const PROJECT = fileURLToPath(new URL('./fixtures/project/', import.meta.url));
const temporary: string[] = [];
const running: ProjectHandle[] = [];

interface Started {
  project: ProjectHandle;
  output: () => string;
  events: ServiceEvent[];
  dataDir: string;
}

async function start(
  options: Partial<StartProjectOptions> = {},
  dataDir?: string,
): Promise<Started> {
  const data = dataDir ?? (await mkdtemp(join(tmpdir(), 'kiln-launcher-')));
  temporary.push(data);
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const events: ServiceEvent[] = [];
  const project = await startProject({
    root: PROJECT,
    dataDir: data,
    environment: { ...process.env, FIXTURE_VALUE: 'from-env' },
    port: 0,
    basePort: 0,
    output: stream,
    restart: { initialDelayMs: 100 },
    stopGraceMs: 5000,
    ...options,
  });
  running.push(project);
  project.events.on('service', (event) => events.push(event));
  return { project, output: () => text, events, dataDir: data };
}

async function info(
  project: ProjectHandle,
  service: string,
): Promise<Record<string, unknown> & { env: Record<string, string> }> {
  const response = await fetch(`${project.services.get(service)!.url}/info`);
  return (await response.json()) as Record<string, unknown> & { env: Record<string, string> };
}

/** Whether `pid` runs; a zombie (killed, not yet reaped by its new parent) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** True once `pid` is gone; a process outside our children has no exit event to wait on. */
async function isGone(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 250 && isRunning(pid); tries++) await delay(20);
  return !isRunning(pid);
}

afterAll(async () => {
  await Promise.all(running.map((project) => project.stop()));
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('startProject', () => {
  it('starts every service on loopback with its own data folder and rewritten configuration', async () => {
    const { project, output, dataDir } = await start();
    expect([...project.services.keys()]).toEqual(['back', 'front', 'oneshot']);
    for (const service of project.services.values())
      expect(service.state).toBe(ServiceState.Healthy);
    const front = await info(project, 'front');
    const back = project.services.get('back')!;
    const addresses = [...project.services.values()].map((s) => `${s.name}=${s.url}`).join(',');
    expect(front.env).toEqual({
      PORT: String(project.services.get('front')!.port),
      HOST: '127.0.0.1',
      DATA_DIR: join(dataDir, 'front'),
      BACK_URL: `${back.url}/api`,
      OTHER: 'from-env',
      LOCAL_ONLY: 'yes',
      // The topology every service learns the project from: the compose file and where each
      // service listens here.
      KILN_COMPOSE_FILE: join(PROJECT, 'docker-compose.yml'),
      KILN_SERVICE_ADDRESSES: addresses,
    });
    expect(project.topology.services.map((s) => [s.name, s.role, s.address])).toEqual([
      ['front', 'gateway', project.services.get('front')!.url],
      ['back', 'container', back.url],
      ['oneshot', 'container', project.services.get('oneshot')!.url],
    ]);
    expect(project.topology.resolve('http://back:8080/artifacts/a/')).toBe(
      `${back.url}/artifacts/a/`,
    );
    expect(front['argv']).toEqual(['front', '--peer', `${back.url}/x`]);
    expect(front['cwd']).toBe(PROJECT.replace(/\/$/, ''));
    expect((await info(project, 'back')).env['OTHER']).toBe('from-list');
    expect(project.url).toBe(`${project.services.get('front')!.url}/`);
    const lines = output().split('\n');
    expect(lines).toContain(
      `front   | front listening on http://127.0.0.1:${project.services.get('front')!.port}`,
    );
    expect(lines).toContain('back    | back says hello on stderr');
    expect(lines.some((line) => /^kiln {4}\| back is healthy/.test(line))).toBe(true);
    // front waited for back to be healthy before it was started.
    expect(lines.findIndex((line) => line.includes('back is healthy'))).toBeLessThan(
      lines.findIndex((line) => line.includes('front listening')),
    );
    await project.stop();
  });

  it('restarts a crashed service with backoff, cleaning up what it left behind', async () => {
    const { project, output } = await start();
    const before = await info(project, 'back');
    const exited = project.waitFor('back', ServiceState.Exited);
    const healthyAgain = exited.then(() => project.waitFor('back', ServiceState.Healthy));
    await fetch(`${project.services.get('back')!.url}/crash`);
    const event = await exited;
    expect(event).toMatchObject({ service: 'back', exitCode: 3, restartInMs: 100 });
    await healthyAgain;
    expect(project.services.get('back')!.restarts).toBe(1);
    expect(await isGone(before['mulePid'] as number)).toBe(true);
    const after = await info(project, 'back');
    expect(after['starts']).toBe(2);
    expect(output()).toContain('back exited with code 3; restarting in 100 ms');
    await project.stop();
  });

  it('kills the whole process group of a service killed from outside', async () => {
    const { project } = await start({ services: ['back'] });
    expect([...project.services.keys()]).toEqual(['back']);
    const { mulePid } = (await info(project, 'back')) as { mulePid: number };
    const exited = project.waitFor('back', ServiceState.Exited);
    process.kill(project.services.get('back')!.pid!, 'SIGKILL');
    expect(await exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await isGone(mulePid)).toBe(true);
    await project.waitFor('back', ServiceState.Healthy);
    await project.stop();
  });

  it('leaves a service with restart "no" down', async () => {
    const { project, output } = await start();
    const exited = project.waitFor('oneshot', ServiceState.Exited);
    await fetch(`${project.services.get('oneshot')!.url}/crash`);
    expect((await exited).restartInMs).toBeUndefined();
    expect(output()).toContain('oneshot exited with code 3; not restarting');
    await project.stop();
    expect(project.services.get('oneshot')!.state).toBe(ServiceState.Stopped);
  });

  it('stops everything cleanly, dependents first, and a second start keeps the data', async () => {
    const first = await start();
    const pids = [...first.project.services.values()].map((service) => service.pid!);
    const mule = ((await info(first.project, 'front')) as { mulePid: number }).mulePid;
    await first.project.stop();
    for (const pid of [...pids, mule]) expect(await isGone(pid)).toBe(true);
    for (const service of first.project.services.values())
      expect(service.state).toBe(ServiceState.Stopped);
    const stoppedOrder = first.events
      .filter((event) => event.state === ServiceState.Stopped)
      .map((event) => event.service);
    expect(stoppedOrder.indexOf('front')).toBeLessThan(stoppedOrder.indexOf('back'));
    expect(first.output()).toContain('front   | front stopping');
    expect(first.output()).toMatch(/kiln {4}\| stopped\n$/);

    const second = await start({}, first.dataDir);
    expect((await info(second.project, 'front'))['starts']).toBe(2);
    await second.project.stop();
  });

  it('gives the published service the port the file names, or the next free one', async () => {
    // Hold a port, and name it as the published one: the launcher moves on to the next free port.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as net.AddressInfo).port;
    try {
      const { project } = await start({
        port: undefined,
        basePort: 0,
        environment: { ...process.env, FIXTURE_PORT: String(held) },
      });
      expect(project.services.get('front')!.port).toBeGreaterThan(held);
      await project.stop();
      await expect(start({ port: held })).rejects.toMatchObject({ code: 'PORT_UNAVAILABLE' });
    } finally {
      holder.close();
    }
  });
});

describe('startProject failures', () => {
  it('reports a service that never becomes healthy, with its last output, and stops it', async () => {
    const error = await start({ composeFile: 'unhealthy.yml', healthTimeoutMs: 1500 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LauncherError);
    expect((error as LauncherError).code).toBe('SERVICE_UNHEALTHY');
    expect((error as LauncherError).message).toContain('sick (starting)');
    expect((error as LauncherError).message).toContain('sick listening on');
  });

  it('refuses an invalid file and a dependency cycle before starting anything', async () => {
    await expect(start({ composeFile: 'invalid.yml' })).rejects.toMatchObject({
      code: 'COMPOSE_INVALID',
      message: expect.stringContaining("'bogus'"),
    });
    await expect(start({ composeFile: 'cycle.yml' })).rejects.toMatchObject({
      code: 'SERVICE_UNRUNNABLE',
      message: expect.stringContaining('a → b → a'),
    });
    await expect(start({ composeFile: 'bad-role.yml' })).rejects.toMatchObject({
      code: 'COMPOSE_INVALID',
      message: expect.stringContaining('role must be one of gateway, dashboard'),
    });
    await expect(start({ services: ['nope'] })).rejects.toMatchObject({
      code: 'SERVICE_UNRUNNABLE',
    });
  });
});
