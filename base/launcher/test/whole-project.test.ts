import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { loadComposeFile, ServiceState, startProject, type ProjectHandle } from '../src/index.js';

// The example project itself (docker-compose.yml at the repository root), started the way
// `npm start` does (every service hosted in the launcher's process, here the test's), driven
// through its gateway; then once more with every service in a process of its own (`--isolate`).
// Needs the whole repository built (npm test does).
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'whole-project-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let project: ProjectHandle;
let data: string;
let output = '';

async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'kiln-whole-project-'));
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  project = await startProject({
    root: ROOT,
    dataDir: data,
    environment: { ...process.env, KILN_TOKEN: TOKEN, KILN_PUBLIC_URL: '' },
    port: 0,
    basePort: 0,
    output: stream,
    // Long enough to see the gateway's 502 before a killed container is back.
    restart: { initialDelayMs: 1500 },
  });
}, 180_000);

afterAll(async () => {
  await project?.stop();
  if (data) await rm(data, { recursive: true, force: true });
}, 60_000);

describe('the example project under the launcher', () => {
  const containers = (): string[] =>
    [...project.services.keys()].filter((name) => name !== 'gateway' && name !== 'dashboard');

  it('runs every service of docker-compose.yml in one process, each healthy, each with its own data folder', async () => {
    // The file decides (a container added with `kiln new` is one more service); the example's
    // own services are there in any case.
    const compose = await loadComposeFile(join(ROOT, 'docker-compose.yml'), { variables: {} });
    expect([...project.services.keys()].sort()).toEqual(Object.keys(compose.services).sort());
    expect([...project.services.keys()]).toEqual(
      expect.arrayContaining([
        'benchmark',
        'dashboard',
        'export',
        'fashion-mnist',
        'fashion-mnist-linear',
        'gateway',
        'import',
        'process',
        'serving',
        'split',
        'train',
        'visualization',
      ]),
    );
    for (const service of project.services.values()) {
      expect(service.state, service.name).toBe(ServiceState.Healthy);
      expect(service.dataDir).toBe(join(data, service.name));
      // Every command of the example is one the launcher hosts: no process of its own.
      expect(service.hosted, service.name).toBe(true);
      expect(service.pid, service.name).toBeUndefined();
    }
    expect(project.url).toBe(`${project.services.get('gateway')!.url}/`);
  });

  it('reaches every container through the gateway with the token, and none without', async () => {
    for (const name of containers()) {
      const health = await fetch(`${project.url}containers/${name}/health`, { headers: auth });
      expect(health.status, name).toBe(200);
      expect(((await health.json()) as { status: string }).status, name).toBe('ok');
      const anonymous = await fetch(`${project.url}containers/${name}/health`);
      expect(anonymous.status, name).toBe(401);
      await anonymous.arrayBuffer();
    }
    for (const name of containers().filter((name) => name !== 'visualization')) {
      const description = (await (
        await fetch(`${project.url}containers/${name}/`, { headers: auth })
      ).json()) as { name: string; kind: string };
      expect(description.name).toBe(name);
    }
    const pipelines = (await (
      await fetch(`${project.url}pipelines/`, { headers: auth })
    ).json()) as Array<{ name: string }>;
    expect(pipelines.map((pipeline) => pipeline.name)).toEqual(
      expect.arrayContaining(['fashion-mnist', 'fashion-mnist-linear']),
    );
    expect((await fetch(`${project.url}pipelines/`)).status).toBe(401);
    const page = await fetch(project.url, { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${project.url}containers/nope/`, { headers: auth })).status).toBe(404);
  });

  it('signs a browser in with the session cookie', async () => {
    const signIn = await fetch(`${project.url}auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(signIn.status).toBe(204);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(
      (await fetch(`${project.url}containers/train/health`, { headers: { cookie } })).status,
    ).toBe(200);
  });

  it('follows a build log and the event stream through the gateway', async () => {
    const events = await fetch(`${project.url}containers/import/events`, { headers: auth });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const eventReader = events.body!.getReader();
    const created = await fetch(`${project.url}containers/import/artifacts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'through-gateway',
        parameters: { source: 'bundled', trainLimit: 200, testLimit: 100 },
      }),
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe('/containers/import/artifacts/through-gateway/');
    const log = await fetch(
      `${project.url}containers/import/artifacts/through-gateway/log?follow=1`,
      { headers: auth },
    );
    expect(log.status).toBe(200);
    // The follow ends when the build does: the whole log, streamed.
    const logText = await log.text();
    expect(logText.length).toBeGreaterThan(0);
    const seen = await readUntil(eventReader, (text) =>
      /"name":"through-gateway"[^\n]*"status":"completed"/.test(text),
    );
    expect(seen).toMatch(/^event: artifact$/m);
    expect(seen).toMatch(/"name":"through-gateway"[^\n]*"status":"completed"/);
    await eventReader.cancel();
    const record = (await (
      await fetch(`${project.url}containers/import/artifacts/through-gateway/`, { headers: auth })
    ).json()) as { status: string };
    expect(record.status).toBe('completed');
  });

  it('resolves a reference in compose form, and shows it as a link through the gateway', async () => {
    // The documented form of a reference: the import container as docker-compose.yml names it.
    const reference = 'http://import:8080/artifacts/through-gateway/';
    const created = await fetch(`${project.url}containers/process/artifacts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-compose', parameters: { dataset: reference } }),
    });
    expect(created.status).toBe(202);
    const done = (await (
      await fetch(`${project.url}containers/process/artifacts/from-compose/status?wait=60`, {
        headers: auth,
      })
    ).json()) as { status: string; error: string | null };
    expect(done).toMatchObject({ status: 'completed', error: null });
    // Stored in compose form, shown to the person reading it as a link through the gateway.
    const record = (await (
      await fetch(`${project.url}containers/process/artifacts/from-compose/`, { headers: auth })
    ).json()) as { inputs: Array<{ url: string }> };
    expect(record.inputs[0]!.url).toBe(
      `${project.url}containers/import/artifacts/through-gateway/`,
    );
    const direct = (await (
      await fetch(`${project.services.get('process')!.url}/artifacts/from-compose/`)
    ).json()) as { inputs: Array<{ url: string }> };
    expect(direct.inputs[0]!.url).toBe(reference);
  });

  it('lists every container of docker-compose.yml in the dashboard, as the topology has them', async () => {
    const containers = (await (
      await fetch(`${project.url}containers/`, { headers: auth })
    ).json()) as Array<{ name: string; kind: string; healthy: boolean; pipelines: string[] }>;
    expect(containers.map((c) => c.name).sort()).toEqual([
      'benchmark',
      'export',
      'fashion-mnist',
      'fashion-mnist-linear',
      'import',
      'process',
      'serving',
      'split',
      'train',
    ]);
    expect(containers.every((c) => c.healthy)).toBe(true);
    // The serving container joins with its one compose entry and says what it is in `GET /`.
    expect(containers.find((c) => c.name === 'serving')).toMatchObject({
      kind: 'serving',
      pipelines: [],
    });
    expect(containers.find((c) => c.name === 'train')).toMatchObject({
      kind: 'tool',
      pipelines: ['fashion-mnist', 'fashion-mnist-linear'],
    });
  });

  it('answers 502 while a killed container is down, then recovers', async () => {
    const exited = project.waitFor('split', ServiceState.Exited);
    const healthy = exited.then(() => project.waitFor('split', ServiceState.Healthy, 60_000));
    // Hosted, a kill closes the service at once (connections cut, mules stopped), as a crash would.
    project.kill('split');
    expect(await exited).toMatchObject({ signal: 'SIGKILL', restartInMs: 1500 });
    const down = await fetch(`${project.url}containers/split/health`, { headers: auth });
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({ status: 502, code: 'CONTAINER_UNAVAILABLE' });
    expect((await fetch(`${project.url}containers/train/health`, { headers: auth })).status).toBe(
      200,
    );
    await healthy;
    expect((await fetch(`${project.url}containers/split/health`, { headers: auth })).status).toBe(
      200,
    );
    expect(output).toContain('split was killed by SIGKILL; restarting in 1.5 s');
  });

  it('stops everything cleanly, leaving no child process behind', async () => {
    // A build leaves a mule for a moment (it retires after 5 s): none may outlive the stop.
    const urls = [...project.services.values()].map((service) => service.url);
    await project.stop();
    for (const service of project.services.values())
      expect(service.state, service.name).toBe(ServiceState.Stopped);
    for (const url of urls) await expect(fetch(`${url}/health`)).rejects.toThrow();
    for (let tries = 0; tries < 100 && childrenOf(process.pid).length > 0; tries++) await delay(20);
    expect(childrenOf(process.pid)).toEqual([]);
    expect(output).toMatch(/kiln +\| stopped\n/);
  });
});

describe('the example project with every service in a process of its own (--isolate)', () => {
  let isolated: ProjectHandle;
  let isolatedData: string;

  beforeAll(async () => {
    isolatedData = await mkdtemp(join(tmpdir(), 'kiln-whole-project-isolated-'));
    isolated = await startProject({
      root: ROOT,
      dataDir: isolatedData,
      environment: { ...process.env, KILN_TOKEN: '' },
      port: 0,
      basePort: 0,
      isolate: true,
      restart: { initialDelayMs: 1500 },
    });
  }, 180_000);

  afterAll(async () => {
    await isolated?.stop();
    if (isolatedData) await rm(isolatedData, { recursive: true, force: true });
  }, 60_000);

  it('runs each service as its own process, answers 502 while one is killed, and stops them all', async () => {
    const pids = [...isolated.services.values()].map((service) => service.pid!);
    for (const service of isolated.services.values()) {
      expect(service.state, service.name).toBe(ServiceState.Healthy);
      expect(service.hosted, service.name).toBe(false);
    }
    expect(new Set(pids).size).toBe(isolated.services.size);
    expect(pids).not.toContain(process.pid);
    const exited = isolated.waitFor('split', ServiceState.Exited);
    const healthy = exited.then(() => isolated.waitFor('split', ServiceState.Healthy, 60_000));
    process.kill(isolated.services.get('split')!.pid!, 'SIGKILL');
    expect(await exited).toMatchObject({ signal: 'SIGKILL', restartInMs: 1500 });
    expect((await fetch(`${isolated.url}containers/split/health`)).status).toBe(502);
    await healthy;
    expect((await fetch(`${isolated.url}containers/split/health`)).status).toBe(200);
    const running = [...isolated.services.values()].map((service) => service.pid!);
    await isolated.stop();
    for (const pid of running) {
      // Reaped children are gone at once; allow the kernel a moment to finish tearing one down.
      for (let tries = 0; tries < 100 && isRunning(pid); tries++) await delay(20);
      expect(isRunning(pid), String(pid)).toBe(false);
    }
  });
});

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number),
  );
}

function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
