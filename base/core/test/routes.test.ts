import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord, ArtifactSummary, MetricInfo, ToolDescription } from '@kiln/api';
import { create, openEvents, postJson, startServer, waitFinal } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let base: string;

beforeAll(async () => {
  server = await startServer('echo-tool.mjs');
  base = server.url;
});
afterAll(async () => server.stop());

describe('description, health and OpenAPI', () => {
  it('describes the tool with its normalised schema', async () => {
    const description = (await (await fetch(`${base}/`)).json()) as ToolDescription;
    expect(description).toMatchObject({
      kind: 'tool',
      api: 'kiln/v1',
      name: 'echo',
      version: '1.0.0',
      artifactType: 'text',
    });
    expect(description.parameters['additionalProperties']).toBe(false);
    expect(description.inputFiles).toEqual([
      { name: 'notes', description: 'any text file', required: false },
    ]);
  });

  it('is healthy with its queue and workers, even before any mule started', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', queued: 0, running: 0, workers: 1 });
  });

  it('serves an OpenAPI 3.1 document covering every route and the parameters schema', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, object>;
      components: { schemas: { Parameters: unknown } };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/',
      '/health',
      '/artifacts',
      '/artifacts/{name}',
      '/artifacts/{name}/data/{path}',
      '/artifacts/{name}/metrics/{metric}/{view}',
      '/events',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.components.schemas.Parameters).toMatchObject({
      type: 'object',
      additionalProperties: false,
    });
  });
});

describe('creating and reading artifacts', () => {
  it('creates from JSON, answers 202 with Location, and completes', async () => {
    const response = await postJson(`${base}/artifacts`, {
      name: 'basic',
      parameters: { files: 3, nested: true },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/artifacts/basic/');
    const summary = await waitFinal(base, 'basic');
    expect(summary).toMatchObject({
      status: 'completed',
      progress: 1,
      attempt: 1,
      cached: false,
      cachedFrom: null,
    });
  });

  it('returns the full record with files, metrics and a digest that matches the data', async () => {
    const record = (await (await fetch(`${base}/artifacts/basic`)).json()) as ArtifactRecord;
    expect(record.parameters).toEqual({
      files: 3,
      nested: true,
      text: 'hello',
      epochs: 3,
      fail: false,
    });
    expect(record.files.map((f) => f.path)).toEqual([
      'out-0.txt',
      'out-1.txt',
      'out-2.txt',
      'sub/deeper/x.json',
      'sub/y.txt',
    ]);
    expect(record.metrics).toEqual(['loss', 'summary']);
    const lines = await Promise.all(
      record.files.map(async (file) => {
        const bytes = Buffer.from(
          await (await fetch(`${base}/artifacts/basic/data/${file.path}`)).arrayBuffer(),
        );
        return `${file.path}\0${createHash('sha256').update(bytes).digest('hex')}\n`;
      }),
    );
    expect(record.digest).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
  });

  it('lists newest first and filters by status', async () => {
    await create(base, { name: 'failing', parameters: { fail: true } });
    expect((await waitFinal(base, 'failing')).status).toBe('failed');
    const all = (await (await fetch(`${base}/artifacts`)).json()) as ArtifactSummary[];
    expect(all.map((a) => a.name).slice(0, 2)).toEqual(['failing', 'basic']);
    const failed = (await (
      await fetch(`${base}/artifacts/?status=failed`)
    ).json()) as ArtifactSummary[];
    expect(failed.map((a) => a.name)).toEqual(['failing']);
    expect(failed[0]!.error).toBe('asked to fail');
  });

  it('generates a unique valid name when none is given', async () => {
    const [a, b] = await Promise.all([create(base, {}), create(base, {})]);
    expect(a.name).toMatch(/^echo-[a-z0-9]+-[0-9a-f]{8}$/);
    expect(a.name).not.toBe(b.name);
  });

  it('serves input parameters with defaults', async () => {
    expect(await (await fetch(`${base}/artifacts/basic/input-parameters`)).json()).toEqual({
      files: 3,
      nested: true,
      text: 'hello',
      epochs: 3,
      fail: false,
    });
  });
});

describe('data', () => {
  it('sends a single-file artifact as itself with ETag, 304 and Range', async () => {
    await create(base, { name: 'single' });
    await waitFinal(base, 'single');
    const whole = await fetch(`${base}/artifacts/single/data`);
    expect(whole.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await whole.text()).toBe('hello 0\n');
    const etag = whole.headers.get('etag')!;
    expect(etag).toBe(`"${createHash('sha256').update('hello 0\n').digest('hex')}"`);
    expect(
      (await fetch(`${base}/artifacts/single/data`, { headers: { 'if-none-match': etag } })).status,
    ).toBe(304);
    const part = await fetch(`${base}/artifacts/single/data`, { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/8');
    expect(await part.text()).toBe('llo');
    expect(
      (await fetch(`${base}/artifacts/single/data`, { headers: { range: 'bytes=100-200' } }))
        .status,
    ).toBe(416);
  });

  it('zips several files, a folder, and on ?format=zip', async () => {
    const zip = await fetch(`${base}/artifacts/basic/data`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('binary')).toBe('PK\u0003\u0004');
    expect(bytes.includes(Buffer.from('sub/deeper/x.json'))).toBe(true);
    const folder = Buffer.from(
      await (await fetch(`${base}/artifacts/basic/data/sub/`)).arrayBuffer(),
    );
    expect(folder.includes(Buffer.from('deeper/x.json'))).toBe(true);
    expect(folder.includes(Buffer.from('sub/deeper'))).toBe(false);
    const forced = await fetch(`${base}/artifacts/single/data?format=zip`);
    expect(forced.headers.get('content-type')).toBe('application/zip');
  });

  it('serves a nested file with its content type and refuses data before completion', async () => {
    const file = await fetch(`${base}/artifacts/basic/data/sub/deeper/x.json`);
    expect(file.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await file.json()).toEqual({ x: 1 });
    expect((await fetch(`${base}/artifacts/failing/data`)).status).toBe(409);
    expect((await fetch(`${base}/artifacts/basic/data/nope.txt`)).status).toBe(404);
  });
});

describe('logs and metrics', () => {
  it('serves the log, from an offset, and an empty 200 past the end', async () => {
    const log = await (await fetch(`${base}/artifacts/basic/log`)).text();
    expect(log).toContain('building basic attempt 1');
    expect(log).toContain('console output goes to the log');
    expect(await (await fetch(`${base}/artifacts/basic/log?offset=9`)).text()).toBe(log.slice(9));
    const past = await fetch(`${base}/artifacts/basic/log?offset=999999`);
    expect(past.status).toBe(200);
    expect(await past.text()).toBe('');
    expect(await (await fetch(`${base}/artifacts/failing/log`)).text()).toContain('asked to fail');
  });

  it('follows a log until the build ends', async () => {
    await create(base, { name: 'followed', parameters: { epochs: 50 } });
    const text = await (await fetch(`${base}/artifacts/followed/log?follow=1`)).text();
    expect(text).toContain('building followed');
    expect(text).toContain('console output goes to the log');
  });

  it('lists metrics and serves every view', async () => {
    const metrics = (await (await fetch(`${base}/artifacts/basic/metrics`)).json()) as MetricInfo[];
    expect(metrics).toEqual([
      {
        name: 'loss',
        kind: 'series',
        views: ['values', 'csv', 'latest', 'svg'],
        last: expect.objectContaining({ step: 2, value: 1 / 3 }),
      },
      { name: 'summary', kind: 'report', views: ['json'], last: null },
    ]);
    const values = (await (await fetch(`${base}/artifacts/basic/metrics/loss/values`)).json()) as {
      step: number;
      value: number;
    }[];
    expect(values.map((p) => [p.step, p.value])).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 1 / 3],
    ]);
    expect(await (await fetch(`${base}/artifacts/basic/metrics/loss/latest`)).json()).toMatchObject(
      { step: 2 },
    );
    const csv = await (await fetch(`${base}/artifacts/basic/metrics/loss/csv`)).text();
    expect(csv.split('\n')[0]).toBe('step,value,time');
    expect(csv.split('\n')[2]).toMatch(/^1,0.5,/);
    const svg = await fetch(`${base}/artifacts/basic/metrics/loss/svg`);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svgText = await svg.text();
    expect(svgText).toContain('<path d="M');
    expect(svgText).toContain('>step</text>');
    expect(await (await fetch(`${base}/artifacts/basic/metrics/summary/json`)).json()).toEqual({
      text: 'hello',
      epochs: 3,
    });
    expect((await fetch(`${base}/artifacts/basic/metrics/summary/svg`)).status).toBe(404);
    expect((await fetch(`${base}/artifacts/basic/metrics/nope/values`)).status).toBe(404);
  });
});

describe('inputs', () => {
  it('accepts a multipart create with an input file and serves it back', async () => {
    const form = new FormData();
    form.set('name', 'with-file');
    form.set('parameters', JSON.stringify({ text: 'multi' }));
    form.set('notes', new Blob(['some notes\n']), 'notes.txt');
    const response = await fetch(`${base}/artifacts`, { method: 'POST', body: form });
    expect(response.status).toBe(202);
    await waitFinal(base, 'with-file');
    const files = await (await fetch(`${base}/artifacts/with-file/input-files`)).json();
    expect(files).toEqual([
      {
        name: 'notes',
        filename: 'notes.txt',
        size: 11,
        sha256: createHash('sha256').update('some notes\n').digest('hex'),
      },
    ]);
    expect(await (await fetch(`${base}/artifacts/with-file/input-files/notes`)).text()).toBe(
      'some notes\n',
    );
    expect(await (await fetch(`${base}/artifacts/with-file/data/notes-copy.txt`)).text()).toBe(
      'some notes\n',
    );
    expect((await fetch(`${base}/artifacts/with-file/input-files/other`)).status).toBe(404);
  });

  it('fetches a referenced artifact before the build and records it', async () => {
    await create(base, { name: 'consumer', parameters: { source: `${base}/artifacts/basic/` } });
    expect((await waitFinal(base, 'consumer')).status).toBe('completed');
    expect(await (await fetch(`${base}/artifacts/consumer/data/from-source.txt`)).text()).toBe(
      'hello 0\n',
    );
    const record = (await (await fetch(`${base}/artifacts/consumer/`)).json()) as ArtifactRecord;
    const basic = (await (await fetch(`${base}/artifacts/basic/`)).json()) as ArtifactRecord;
    expect(record.inputs).toEqual([
      { parameter: 'source', url: `${base}/artifacts/basic/`, digest: basic.digest },
    ]);
  });

  it('refuses a reference to an artifact that is not completed', async () => {
    const response = await postJson(`${base}/artifacts`, {
      parameters: { source: `${base}/artifacts/failing/` },
    });
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors[0].path).toBe('/source');
  });
});

describe('events, cancel, delete, callbacks', () => {
  it('streams artifact events for status and progress changes', async () => {
    const events = await openEvents(base);
    try {
      const seen: string[] = [];
      const done = events.waitFor((summary) => {
        if (summary.name === 'evented') seen.push(`${summary.status}:${summary.progress}`);
        return summary.name === 'evented' && summary.status === 'completed';
      });
      await create(base, { name: 'evented', parameters: { epochs: 2 } });
      await done;
      expect(seen[0]).toBe('queued:0');
      expect(seen).toContain('in-progress:0');
      expect(seen.at(-1)).toBe('completed:1');
    } finally {
      events.close();
    }
  });

  it('cancels only non-final artifacts and deletes them', async () => {
    const cancel = await fetch(`${base}/artifacts/basic/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(409);
    expect((await (await fetch(`${base}/artifacts/basic/status`)).json()).status).toBe('completed');
    const gone = await fetch(`${base}/artifacts/basic/`, { method: 'DELETE' });
    expect(gone.status).toBe(204);
    expect((await fetch(`${base}/artifacts/basic/`)).status).toBe(404);
    expect((await fetch(`${base}/artifacts/basic/`, { method: 'DELETE' })).status).toBe(404);
  });

  it('retries a failing callback with backoff until it is accepted', async () => {
    const attempts: unknown[] = [];
    const delivered = new Promise<void>((done, fail) => {
      const receiver = createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          attempts.push(JSON.parse(body));
          // The first delivery fails; the retry succeeds.
          res.statusCode = attempts.length === 1 ? 503 : 204;
          res.end();
          if (attempts.length === 2) {
            receiver.close();
            done();
          }
        });
      });
      // A failed create fails the test now rather than leaving it to time out.
      receiver.listen(0, '127.0.0.1', () => {
        const { port } = receiver.address() as AddressInfo;
        create(base, {
          name: 'called-back-twice',
          callback: `http://127.0.0.1:${port}/hook`,
        }).catch(fail);
      });
    });
    await delivered;
    expect(attempts).toEqual([
      expect.objectContaining({ name: 'called-back-twice', status: 'completed' }),
      expect.objectContaining({ name: 'called-back-twice', status: 'completed' }),
    ]);
  });

  it('POSTs the final summary to the callback URL', async () => {
    const received = new Promise<unknown>((done, fail) => {
      const receiver = createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          res.end();
          receiver.close();
          done(JSON.parse(body));
        });
      });
      // A failed create fails the test now rather than leaving it to time out.
      receiver.listen(0, '127.0.0.1', () => {
        const { port } = receiver.address() as AddressInfo;
        create(base, { name: 'called-back', callback: `http://127.0.0.1:${port}/hook` }).catch(
          fail,
        );
      });
    });
    expect(await received).toMatchObject({ name: 'called-back', status: 'completed' });
  });
});
