import type { ContainerListing } from '@kiln/api';
import { SILENT_LOGGER, startToolServer, type RunningToolServer } from '@kiln/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../dist/index.js';
import { startArchiveContainer } from './helpers/archive-container.js';
import { listen } from './helpers/listen.js';
import { readSse, type SseEvent } from './helpers/read-sse.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

// The project the dashboard sees, as its topology gives it: a trainer, an archive, a tool no
// pipeline uses, two pipelines on the real runtime (one of which stops during the tests), and
// a service that never answers.
let dataRoot: string;
const servers: RunningToolServer[] = [];
let archive: Server;
let train: RunningToolServer;
let pipeline: RunningToolServer;
let other: RunningToolServer;
let server: Server;
let base: string;
let emptyServer: Server;
let emptyBase: string;

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'kiln-dashboard-server-'));
  const start = async (fixture: string, name: string, services: object[] = []) => {
    const started = await startToolServer({
      modulePath: join(FIXTURES, fixture),
      dataDir: join(dataRoot, name),
      port: 0,
      topology: { services: services as [] },
    });
    servers.push(started);
    return started;
  };
  train = await start('train-tool.mjs', 'train');
  const notes = await start('notes-tool.mjs', 'notes');
  const archived = await startArchiveContainer(3);
  archive = archived.server;
  const tools = [
    { name: 'train', address: train.url },
    { name: 'archive', address: archived.url },
  ];
  pipeline = await start('demo-pipeline.mjs', 'demo', tools);
  other = await start('demo-pipeline.mjs', 'other', tools);
  server = createServer(
    createApp({
      topology: {
        services: [
          { name: 'gateway', role: 'gateway', address: 'http://127.0.0.1:9' },
          { name: 'dashboard', role: 'dashboard', address: 'http://127.0.0.1:9' },
          { name: 'demo', address: pipeline.url },
          { name: 'other', address: other.url },
          ...tools,
          { name: 'notes', address: notes.url },
          { name: 'down', address: 'http://127.0.0.1:9' },
        ],
      },
      logger: SILENT_LOGGER,
      directory: { timeoutMs: 2000, cacheMs: 0 },
      events: { retryMs: 50, maxRetryMs: 200 },
    }),
  );
  base = await listen(server);
  emptyServer = createServer(
    createApp({ topology: { services: [] }, staticDir: join(dataRoot, 'no-ui') }),
  );
  emptyBase = await listen(emptyServer);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => emptyServer?.close(resolve));
  archive?.closeAllConnections();
  await new Promise((resolve) => archive?.close(resolve));
  for (const started of servers.reverse()) await started.close();
  await rm(dataRoot, { recursive: true, force: true });
});

const TASK = {
  name: 'org.kiln.test.demo',
  description: 'Train a pretend model and report how good it is',
};

describe('GET /pipelines/', () => {
  it('lists the containers that say they are pipelines, with their gateway URL and task', async () => {
    const response = await fetch(`${base}/pipelines/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { name: 'demo', url: '/containers/demo/', task: TASK, available: true },
      { name: 'other', url: '/containers/other/', task: TASK, available: true },
    ]);
  });

  it('answers the same without the trailing slash', async () => {
    const response = await fetch(`${base}/pipelines`);
    expect(((await response.json()) as unknown[]).length).toBe(2);
  });

  it('is an empty list without pipelines', async () => {
    expect(await (await fetch(`${emptyBase}/pipelines/`)).json()).toEqual([]);
  });
});

describe('GET /containers/', () => {
  it('lists every container of the topology, a tool no pipeline uses included', async () => {
    const containers = (await (await fetch(`${base}/containers/`)).json()) as ContainerListing[];
    const rows = containers.map((c) => [c.name, c.kind, c.artifactType, c.healthy, c.pipelines]);
    expect(rows).toEqual([
      ['demo', 'pipeline', 'run', true, []],
      ['other', 'pipeline', 'run', true, []],
      ['train', 'tool', 'model', true, ['demo', 'other']],
      ['archive', 'tool', 'archive', true, ['demo', 'other']],
      ['notes', 'tool', 'note', true, []],
      ['down', null, '', false, []],
    ]);
    expect(containers.find((c) => c.name === 'notes')).toMatchObject({
      url: '/containers/notes/',
      description: 'Keeps a note',
    });
    expect(await (await fetch(`${base}/containers`)).json()).toHaveLength(6);
  });
});

/** Reads a merged event stream, handing each event to `until` until it returns true. */
async function readEvents(
  path: string,
  until: (event: SseEvent, events: SseEvent[]) => boolean | Promise<boolean>,
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const response = await fetch(`${base}${path}`, { signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: SseEvent[] = [];
  await readSse(response.body!, (event) => {
    events.push(event);
    void Promise.resolve(until(event, events)).then((done) => done && abort.abort());
  }).catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  return events;
}

async function create(url: string, collection: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}/${collection}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
}

describe('GET /pipelines/{name}/events', () => {
  it('merges the pipeline’s and its containers’ events, each tagged with its container', async () => {
    const events = await readEvents('/pipelines/demo/events', async (event, all) => {
      if (event.event === 'ready')
        await create(pipeline.url, 'runs', { name: 'merged', parameters: { epochs: 2 } });
      const done = (container: string, name: string): boolean =>
        all.some(
          (e) =>
            e.event === 'artifact' &&
            JSON.parse(e.data).container === container &&
            JSON.parse(e.data).name === name &&
            JSON.parse(e.data).status === 'completed',
        );
      return done('demo', 'merged') && done('train', 'merged-train');
    });
    expect(events[0]?.event).toBe('ready');
    const summaries = events
      .filter((e) => e.event === 'artifact')
      .map((e) => JSON.parse(e.data) as { container: string; name: string });
    expect(new Set(summaries.map((s) => `${s.container}/${s.name}`))).toEqual(
      new Set(['demo/merged', 'train/merged-train']),
    );
  });

  it('is ready even when a container that may be a pipeline is down', async () => {
    const events = await readEvents('/pipelines/down/events', (event) => event.event === 'ready');
    expect(events.map((e) => e.event)).toEqual(['ready']);
  });

  it('answers 404 for a name that is no container, or a container that is no pipeline', async () => {
    for (const name of ['nope', 'notes']) {
      const response = await fetch(`${base}/pipelines/${name}/events`);
      expect(response.status, name).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });

  it('still lists a pipeline that stopped, as unavailable, with the task it gave', async () => {
    await other.close();
    const pipelines = await (await fetch(`${base}/pipelines/`)).json();
    expect(pipelines).toContainEqual({
      name: 'other',
      url: '/containers/other/',
      task: TASK,
      available: false,
    });
  });
});

describe('the web UI', () => {
  it('serves the page at / and /signin with a content security policy', async () => {
    for (const path of ['/', '/signin']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await response.text();
      expect(html).toContain('<kiln-app>');
      expect(html).toContain('/assets/app.js');
    }
  });

  it('serves the bundle and its stylesheet under /assets', async () => {
    const script = await fetch(`${base}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('kiln-app');
    const css = await fetch(`${base}/assets/app.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('answers problems, never HTML, for what it does not have', async () => {
    for (const path of ['/assets/nope.js', '/nope', '/pipelines/demo/extra']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('says 503 when the UI was not built', async () => {
    const response = await fetch(`${emptyBase}/`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/npm run build/);
  });
});

describe('GET /health', () => {
  it('is ok', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', containers: 6 });
  });
});
