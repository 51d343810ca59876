import type { ArtifactSummary, MetricListing, MetricPoint } from '@kiln/api';
import { SILENT_LOGGER, startToolServer, type RunningToolServer } from '@kiln/core';
import crc32c from 'crc-32/crc32c.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { createApp, decodeEvent, FILE_VERSION, readRecords } from '../dist/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let dataRoot: string;
let tool: RunningToolServer;
let pipeline: RunningToolServer;
let server: Server;
let base: string;

async function create(url: string, collection: string, body: unknown): Promise<ArtifactSummary> {
  const response = await fetch(`${url}/${collection}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  const summary = (await response.json()) as ArtifactSummary;
  const done = (await (
    await fetch(`${url}/${collection}/${summary.name}/status?wait=30`)
  ).json()) as ArtifactSummary;
  expect(done.status).toBe('completed');
  return done;
}

async function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'kiln-visualization-'));
  tool = await startToolServer({
    modulePath: join(FIXTURES, 'metrics-tool.mjs'),
    dataDir: join(dataRoot, 'tool'),
    port: 0,
  });
  const metrics = { name: 'metrics', address: tool.url };
  pipeline = await startToolServer({
    modulePath: join(FIXTURES, 'runs-pipeline.mjs'),
    dataDir: join(dataRoot, 'pipeline'),
    port: 0,
    topology: { services: [metrics] },
  });
  await create(tool.url, 'artifacts', { name: 'first', parameters: { epochs: 3 } });
  await create(tool.url, 'artifacts', { name: 'second', parameters: { epochs: 2, offset: 10 } });
  await create(tool.url, 'artifacts', { name: 'flat', parameters: { epochs: 0 } });
  await create(pipeline.url, 'runs', { name: 'run-1' });
  // The project as docker-compose.yml would declare it: the services that serve the project
  // itself say so with x-kiln.role, and are left out; every other one is read.
  const app = createApp({
    topology: {
      services: [
        { name: 'gateway', role: 'gateway', address: 'http://127.0.0.1:9' },
        { name: 'visualization', role: 'visualization', address: 'http://127.0.0.1:9' },
        metrics,
        { name: 'runs', address: pipeline.url },
        { name: 'down', address: 'http://127.0.0.1:9' },
      ],
    },
    logger: SILENT_LOGGER,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await tool?.close();
  await pipeline?.close();
  await rm(dataRoot, { recursive: true, force: true });
});

describe('GET /metrics', () => {
  it('lists every metric of every artifact and run, leaving out a container that is down', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const listing = (await response.json()) as MetricListing[];
    const keys = listing.map((m) => `${m.container}/${m.artifact}/${m.metric}:${m.kind}`).sort();
    expect(keys).toEqual([
      'metrics/first/accuracy:series',
      'metrics/first/confusion:report',
      'metrics/first/loss:series',
      'metrics/flat/confusion:report',
      'metrics/run-1-metrics/accuracy:series',
      'metrics/run-1-metrics/confusion:report',
      'metrics/run-1-metrics/loss:series',
      'metrics/second/accuracy:series',
      'metrics/second/confusion:report',
      'metrics/second/loss:series',
      'runs/run-1/figures:report',
      'runs/run-1/steps:report',
    ]);
    const loss = listing.find((m) => m.artifact === 'second' && m.metric === 'loss');
    expect(loss?.last).toMatchObject({ step: 2, value: 10.5 });
    expect(listing.find((m) => m.metric === 'confusion')?.last).toBeNull();
  });

  it('answers the same with a trailing slash', async () => {
    const again = (await (await fetch(`${base}/metrics/`)).json()) as MetricListing[];
    expect(again).toHaveLength(12);
  });
});

describe('GET /metrics/{container}/{artifact}/{metric}/{view}', () => {
  it('forwards series and report views with their content type', async () => {
    const values = await fetch(`${base}/metrics/metrics/first/loss/values`);
    expect(values.status).toBe(200);
    expect(values.headers.get('content-type')).toMatch(/json/);
    expect(((await values.json()) as MetricPoint[]).map((p) => p.value)).toEqual([1, 0.5, 1 / 3]);
    const csv = await fetch(`${base}/metrics/metrics/first/loss/csv`);
    expect(csv.headers.get('content-type')).toMatch(/csv/);
    expect(await csv.text()).toMatch(/^step,value,time/);
    const svg = await fetch(`${base}/metrics/metrics/first/accuracy/svg`);
    expect(svg.headers.get('content-type')).toMatch(/svg/);
    const report = await fetch(`${base}/metrics/metrics/first/confusion/json`);
    expect(await report.json()).toEqual({
      labels: ['a', 'b'],
      matrix: [
        [3, 1],
        [0, 4],
      ],
    });
    const run = await fetch(`${base}/metrics/runs/run-1/figures/json`);
    expect(await run.json()).toEqual({ score: 0.75 });
  });

  it('passes the container’s problem through for an unknown metric or artifact', async () => {
    const missing = await fetch(`${base}/metrics/metrics/first/nope/values`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    const gone = await fetch(`${base}/metrics/metrics/ghost/loss/values`);
    expect(gone.status).toBe(404);
  });

  it('answers problems for an unknown container, a bad name and a container that is down', async () => {
    const unknown = await fetch(`${base}/metrics/nowhere/first/loss/values`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('CONTAINER_NOT_FOUND');
    const bad = await fetch(`${base}/metrics/metrics/-bad/loss/values`);
    expect(bad.status).toBe(400);
    const down = await fetch(`${base}/metrics/down/first/loss/values`);
    expect(down.status).toBe(502);
    expect(down.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('GET /tensorboard', () => {
  it('zips one event file per artifact with series, every record checked and every value kept', async () => {
    const response = await fetch(`${base}/tensorboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const files = await unzip(Buffer.from(await response.arrayBuffer()));
    const names = [...files.keys()].sort();
    expect(names).toHaveLength(3);
    expect(names.map((n) => n.replace(/events\.out\.tfevents\.\d+\.kiln$/, 'EVENTS'))).toEqual([
      'metrics/first/EVENTS',
      'metrics/run-1-metrics/EVENTS',
      'metrics/second/EVENTS',
    ]);

    for (const [name, file] of files) {
      const [container, artifact] = name.split('/') as [string, string];
      // every record: length, masked CRC32C of the length, data, masked CRC32C of the data
      let offset = 0;
      let count = 0;
      while (offset < file.length) {
        const length = Number(file.readBigUInt64LE(offset));
        const mask = (crc: number): number =>
          ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
        expect(file.readUInt32LE(offset + 8)).toBe(
          mask(crc32c.buf(file.subarray(offset, offset + 8)) >>> 0),
        );
        const data = file.subarray(offset + 12, offset + 12 + length);
        expect(file.readUInt32LE(offset + 12 + length)).toBe(mask(crc32c.buf(data) >>> 0));
        offset += 12 + length + 4;
        count += 1;
      }
      expect(offset).toBe(file.length);

      const events = readRecords(file).map((record) => decodeEvent(record));
      expect(events).toHaveLength(count);
      expect(events[0]?.fileVersion).toBe(FILE_VERSION);
      const steps = events.slice(1).map((event) => event.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));

      const metrics = (await (await fetch(`${base}/metrics`)).json()) as MetricListing[];
      const series = metrics.filter(
        (m) => m.container === container && m.artifact === artifact && m.kind === 'series',
      );
      let points = 0;
      for (const metric of series) {
        const values = (await (
          await fetch(`${base}/metrics/${container}/${artifact}/${metric.metric}/values`)
        ).json()) as MetricPoint[];
        const written = events
          .filter((event) => event.summary?.value[0]?.tag === metric.metric)
          .map((event) => ({
            step: event.step,
            value: event.summary?.value[0]?.simpleValue,
            wallTime: event.wallTime,
          }));
        expect(written).toEqual(
          values.map((point) => ({
            step: point.step,
            value: Math.fround(point.value),
            wallTime: Date.parse(point.time) / 1000,
          })),
        );
        points += values.length;
      }
      expect(events.length).toBe(1 + points);
    }
  });
});

describe('GET /health', () => {
  it('is ok', async () => {
    const response = await fetch(`${base}/health`);
    expect(await response.json()).toEqual({ status: 'ok', containers: 3 });
  });

  it('answers a problem for an unknown route', async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
