import { SILENT_LOGGER, startToolServer, type RunningToolServer } from '@kiln/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, parseServiceUrls, readSse, type SseEvent } from '../dist/index.js';
import { listen } from './helpers/test-project.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let dataRoot: string;
let train: RunningToolServer;
let pipeline: RunningToolServer;
let server: Server;
let base: string;
let emptyServer: Server;
let emptyBase: string;

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'kiln-dashboard-server-'));
  train = await startToolServer({
    modulePath: join(FIXTURES, 'train-tool.mjs'),
    dataDir: join(dataRoot, 'train'),
    port: 0,
  });
  process.env['KILN_FIXTURE_TRAIN_URL'] = train.url;
  pipeline = await startToolServer({
    modulePath: join(FIXTURES, 'demo-pipeline.mjs'),
    dataDir: join(dataRoot, 'demo'),
    port: 0,
  });
  const pipelines = parseServiceUrls(`demo=${pipeline.url},down=http://127.0.0.1:9`);
  server = createServer(
    createApp({
      pipelines,
      logger: SILENT_LOGGER,
      directory: { timeoutMs: 2000 },
      events: { retryMs: 50, maxRetryMs: 200 },
    }),
  );
  base = await listen(server);
  emptyServer = createServer(createApp({ pipelines: [], staticDir: join(dataRoot, 'no-ui') }));
  emptyBase = await listen(emptyServer);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => emptyServer?.close(resolve));
  await pipeline?.close();
  await train?.close();
  await rm(dataRoot, { recursive: true, force: true });
});

describe('GET /pipelines/', () => {
  it('lists each pipeline with its gateway URL and task, and one that is down as unavailable', async () => {
    const response = await fetch(`${base}/pipelines/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        name: 'demo',
        url: '/containers/demo/',
        task: {
          name: 'org.kiln.test.demo',
          description: 'Train a pretend model and report how good it is',
        },
        available: true,
      },
      {
        name: 'down',
        url: '/containers/down/',
        task: { name: '', description: '' },
        available: false,
      },
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

  it('is ready even when the pipeline is down', async () => {
    const events = await readEvents('/pipelines/down/events', (event) => event.event === 'ready');
    expect(events.map((e) => e.event)).toEqual(['ready']);
  });

  it('answers 404 for a pipeline it does not know', async () => {
    const response = await fetch(`${base}/pipelines/nope/events`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
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
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', pipelines: 2 });
  });
});
