import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServingServer, type RunningServingServer } from '../dist/index.js';
import { call, inferBody, registerAndWait } from './support/http.js';
import { buildTinyModels, type TinyModels } from './support/tiny-models.js';

// The serving container in this process, serving models made by a tiny real training.
let models: TinyModels;
let serving: RunningServingServer;
let dataDir: string;
let base: string;

beforeAll(async () => {
  models = await buildTinyModels(2);
  dataDir = await mkdtemp(join(tmpdir(), 'kiln-serving-'));
  serving = await startServingServer({ dataDir, port: 0, benchmarkRuns: 20 });
  base = serving.url;
}, 120_000);

afterAll(async () => {
  await serving?.close();
  await models?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

describe('registering versions', () => {
  it('fetches, loads, warms up and evaluates the first version, which becomes champion', async () => {
    const version = await registerAndWait(base, 'fashion', {
      artifact: models.models[0],
      evaluation: models.evaluation,
    });
    expect(version).toMatchObject({
      model: 'fashion',
      version: 1,
      status: 'ready',
      aliases: ['champion'],
      artifact: models.models[0],
      reason: null,
      feedbackAccuracy: null,
    });
    const figures = version['figures'] as Record<string, unknown>;
    expect(figures['count']).toBe(50);
    expect(figures['accuracy']).toBeGreaterThan(0.3);
    expect(figures['evaluation']).toEqual({ dataset: models.evaluation, set: 'test' });
    expect((figures['latency'] as { runs: number }).runs).toBe(20);
    expect(figures['backend']).toMatch(/wasm|cpu|tensorflow/);
    expect(version['signature']).toMatchObject({
      inputShape: [28, 28, 1],
      imageSize: { height: 28, width: 28 },
      normalization: { method: 'unit' },
    });
    const description = await call(`${base}/`);
    expect(description.body).toMatchObject({
      kind: 'serving',
      api: 'kiln/v1',
      models: ['fashion'],
    });
  });

  it('makes the next version challenger, evaluated on the same set by default', async () => {
    const version = await registerAndWait(base, 'fashion', { artifact: models.models[1] });
    expect(version).toMatchObject({ version: 2, status: 'ready', aliases: ['challenger'] });
    expect((version['figures'] as Record<string, unknown>)['evaluation']).toEqual({
      dataset: models.evaluation,
      set: 'test',
    });
    const listed = await call<Record<string, unknown>[]>(`${base}/models`);
    expect(listed.body).toEqual([
      { name: 'fashion', aliases: { champion: 1, challenger: 2 }, versions: 2, policy: null },
    ]);
    const versions = await call<Record<string, unknown>[]>(`${base}/models/fashion/versions`);
    expect(versions.body.map((v) => [v['version'], v['status']])).toEqual([
      [2, 'ready'],
      [1, 'ready'],
    ]);
  });

  it('refuses what is not a completed model artifact (422), storing nothing', async () => {
    for (const artifact of [
      models.evaluation,
      `${models.models[0]!.replace(/model-1\/$/, 'nope/')}`,
    ]) {
      const answer = await call(`${base}/models/other/versions`, { json: { artifact } });
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ code: 'INPUT_ARTIFACT_UNAVAILABLE' });
      expect(answer.body['error']).toBe(answer.body['detail']);
    }
    for (const artifact of ['ftp://x/y', 'http://fashion-mnist:8080/runs/first/']) {
      const bad = await call(`${base}/models/other/versions`, { json: { artifact } });
      expect(bad.status).toBe(422);
      expect(bad.body['errors']).toEqual([
        { path: '/artifact', message: 'must be an artifact URL' },
      ]);
    }
    expect((await call(`${base}/models/other`)).status).toBe(404);
  });

  it('marks a version that cannot load as failed; the champion keeps serving', async () => {
    for (const mode of ['no-metadata', 'truncated-weights'] as const) {
      const version = await registerAndWait(base, 'fashion', {
        artifact: await models.broken(mode),
      });
      expect(version['status']).toBe('failed');
      expect(version['aliases']).toEqual([]);
      expect(String(version['reason'])).toMatch(
        mode === 'no-metadata' ? /userDefinedMetadata\.kiln/ : /.+/,
      );
    }
    const served = await call(`${base}/v2/models/fashion/infer`, { json: inferBody() });
    expect(served.status).toBe(200);
    expect(served.body['model_version']).toBe('1');
    const promote = await call(`${base}/models/fashion/aliases/champion`, {
      method: 'PUT',
      json: { version: 3 },
    });
    expect(promote.status).toBe(409);
    expect(promote.body['code']).toBe('VERSION_UNUSABLE');
  });
});

describe('the Open Inference Protocol', () => {
  it('answers health, server and model metadata, and readiness', async () => {
    expect((await call(`${base}/v2/health/live`)).status).toBe(200);
    expect((await call(`${base}/v2/health/ready`)).status).toBe(200);
    expect((await call(`${base}/v2`)).body).toMatchObject({ name: 'serving', extensions: [] });
    const metadata = await call(`${base}/v2/models/fashion`);
    expect(metadata.body).toEqual({
      name: 'fashion',
      versions: ['1', '2'],
      platform: 'tfjs',
      inputs: [{ name: 'images', datatype: 'FP32', shape: [-1, 28, 28] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 10] }],
    });
    expect((await call(`${base}/v2/models/fashion/versions/2`)).body['versions']).toEqual(['2']);
    expect((await call(`${base}/v2/models/fashion/ready`)).body).toEqual({
      name: 'fashion',
      ready: true,
    });
    expect((await call(`${base}/v2/models/fashion/versions/2/ready`)).status).toBe(200);
    const failed = await call(`${base}/v2/models/fashion/versions/3/ready`);
    expect(failed.status).toBe(503);
    expect(failed.body['error']).toMatch(/not ready/);
    expect((await call(`${base}/v2/models/fashion/versions/99/ready`)).status).toBe(404);
    expect((await call(`${base}/v2/models/nope/ready`)).status).toBe(404);
  });

  it('describes every route in /openapi.json, from the same route specs that serve them', async () => {
    const { status, body } = await call<{
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: { Problem: { properties: Record<string, unknown> } } };
    }>(`${base}/openapi.json`);
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(body.info.title).toBe('serving (serving)');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/',
        '/events',
        '/v2/models/{model}/infer',
        '/v2/models/{model}/versions/{version}/infer',
        '/models/{model}/versions',
        '/models/{model}/aliases/{alias}',
        '/predictions/{id}/input',
      ]),
    );
    const infer = body.paths['/v2/models/{model}/versions/{version}/infer']!['post']!;
    expect(infer['parameters']).toContainEqual(
      expect.objectContaining({ name: 'version', schema: { type: 'integer', minimum: 1 } }),
    );
    expect(infer['requestBody']).toMatchObject({
      content: { 'application/json': { schema: { required: ['inputs'] } } },
    });
    expect(body.paths['/models/{model}/aliases/{alias}']!['put']).toHaveProperty('requestBody');
    expect(body.components.schemas.Problem.properties).toHaveProperty('error');
  });

  it('infers with and without a version, flat and nested, FP32 and UINT8, in batches', async () => {
    const nested = Array.from({ length: 2 }, () =>
      Array.from({ length: 28 }, () => new Array(28).fill(30)),
    );
    const bodies = [
      inferBody(1, 12.5),
      inferBody(3, 200, 'UINT8'),
      {
        id: 'mine',
        inputs: [{ name: 'images', shape: [2, 28, 28], datatype: 'FP32', data: nested }],
      },
      {
        inputs: [
          {
            name: 'images',
            shape: [1, 28, 28, 1],
            datatype: 'UINT8',
            data: new Array(784).fill(0),
          },
        ],
        outputs: [{ name: 'probabilities' }],
      },
    ];
    for (const body of bodies) {
      const count = (body.inputs as { shape: number[] }[])[0]!.shape[0]!;
      for (const path of ['/v2/models/fashion/infer', '/v2/models/fashion/versions/2/infer']) {
        const answer = await call(`${base}${path}`, { json: body });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body['model_name']).toBe('fashion');
        expect(answer.body['model_version']).toBe(path.includes('versions') ? '2' : '1');
        const output = (
          answer.body['outputs'] as {
            name: string;
            shape: number[];
            datatype: string;
            data: number[];
          }[]
        )[0]!;
        expect(output).toMatchObject({
          name: 'probabilities',
          shape: [count, 10],
          datatype: 'FP32',
        });
        expect(output.data).toHaveLength(count * 10);
        expect(sum(output.data.slice(0, 10))).toBeCloseTo(1, 4);
        const ids = (answer.body['parameters'] as { prediction_ids: string[] }).prediction_ids;
        expect(new Set(ids).size).toBe(count);
        if ('id' in body) expect(answer.body['id']).toBe('mine');
      }
    }
  });

  it('keeps every prediction with its input, output, version and time', async () => {
    const answer = await call(`${base}/v2/models/fashion/infer`, {
      json: inferBody(2, 255, 'UINT8'),
    });
    const ids = (answer.body['parameters'] as { prediction_ids: string[] }).prediction_ids;
    const listed = await call<Record<string, unknown>[]>(
      `${base}/predictions?model=fashion&limit=2`,
    );
    // One request's predictions share their time; newest first means the later row first.
    expect(listed.body.map((p) => p['id'])).toEqual([...ids].reverse());
    const one = await call(`${base}/predictions/${ids[0]}`);
    expect(one.body).toMatchObject({
      id: ids[0],
      model: 'fashion',
      version: 1,
      feedback: null,
      source: 'oip',
    });
    expect(one.body['probabilities']).toHaveLength(10);
    expect(Date.parse(String(one.body['createdAt']))).toBeGreaterThan(Date.now() - 60_000);
    const older = await call<Record<string, unknown>[]>(
      `${base}/predictions?before=${ids[1]}&limit=1`,
    );
    expect(older.body).toHaveLength(1);
    const input = await fetch(`${base}/predictions/${ids[0]}/input`);
    expect(input.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await input.arrayBuffer());
    const { width, height, channels } = await sharp(png).metadata();
    expect([width, height, channels]).toEqual([28, 28, 1]);
    const data = await sharp(png).extractChannel(0).raw().toBuffer();
    expect(data.every((value) => value === 255)).toBe(true);
    expect((await call(`${base}/predictions/nope`)).status).toBe(404);
  });
});

describe('predicting an image file', () => {
  const predict = async (bytes: Buffer, filename: string, query = '') => {
    const form = new FormData();
    form.set('image', new Blob([bytes]), filename);
    return call(`${base}/models/fashion/predict${query}`, { method: 'POST', body: form });
  };

  it('takes PNG, JPEG and PGM of any size and colour, resized to 28×28 grey', async () => {
    const colour = { r: 240, g: 30, b: 90, alpha: 1 };
    const images: [string, Buffer][] = [
      [
        'big.png',
        await sharp({ create: { width: 1200, height: 700, channels: 4, background: colour } })
          .png()
          .toBuffer(),
      ],
      [
        'photo.jpg',
        await sharp({ create: { width: 333, height: 517, channels: 3, background: colour } })
          .jpeg()
          .toBuffer(),
      ],
      [
        'small.pgm',
        Buffer.concat([Buffer.from('P5\n# grey\n14 14\n255\n'), Buffer.alloc(196, 180)]),
      ],
      ['plain.pgm', Buffer.from(`P2\n2 2\n15\n0 15\n7 3\n`)],
    ];
    for (const [name, bytes] of images) {
      const answer = await predict(bytes, name);
      expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).toBe(200);
      const body = answer.body as Record<string, unknown> & {
        probabilities: number[];
        classes: string[];
      };
      expect(body).toMatchObject({ model: 'fashion', version: 1 });
      expect(body.classes).toHaveLength(10);
      expect(body.class).toBe(body.classes[body.label as number]);
      expect(sum(body.probabilities)).toBeCloseTo(1, 4);
      const stored = await call(`${base}/predictions/${String(body.predictionId)}`);
      expect(stored.body).toMatchObject({ source: 'image', label: body.label });
    }
    const challenger = await predict(images[0]![1], 'big.png', '?version=2');
    expect(challenger.body['version']).toBe(2);
  });
});

describe('bad input', () => {
  const predictionCount = async (): Promise<number> =>
    (await call<unknown[]>(`${base}/predictions?limit=1000`)).body.length;

  it('answers a 4xx problem document with OIP’s error member, and stores nothing', async () => {
    const before = await predictionCount();
    const tensor = (patch: Record<string, unknown>) => ({
      inputs: [
        {
          name: 'images',
          shape: [1, 784],
          datatype: 'FP32',
          data: new Array(784).fill(1),
          ...patch,
        },
      ],
    });
    const infer = `${base}/v2/models/fashion/infer`;
    const cases: [string, RequestInit & { json?: unknown }, number, string][] = [
      ['wrong shape', { json: tensor({ shape: [1, 785] }) }, 400, 'INVALID_TENSOR'],
      ['zero images', { json: tensor({ shape: [0, 784], data: [] }) }, 400, 'INVALID_TENSOR'],
      ['wrong datatype', { json: tensor({ datatype: 'INT64' }) }, 400, 'INVALID_TENSOR'],
      ['wrong length', { json: tensor({ data: new Array(700).fill(1) }) }, 400, 'INVALID_TENSOR'],
      [
        'NaN (a string)',
        { json: tensor({ data: [...new Array(783).fill(1), 'NaN'] }) },
        400,
        'INVALID_TENSOR',
      ],
      [
        'out of range',
        { json: tensor({ data: [...new Array(783).fill(1), 256] }) },
        400,
        'INVALID_TENSOR',
      ],
      [
        'negative',
        { json: tensor({ data: [-1, ...new Array(783).fill(1)] }) },
        400,
        'INVALID_TENSOR',
      ],
      [
        'UINT8 fraction',
        { json: tensor({ datatype: 'UINT8', data: [0.5, ...new Array(783).fill(1)] }) },
        400,
        'INVALID_TENSOR',
      ],
      ['wrong input name', { json: tensor({ name: 'x' }) }, 400, 'INVALID_TENSOR'],
      [
        'two inputs',
        { json: { inputs: [tensor({}).inputs[0], tensor({}).inputs[0]] } },
        400,
        'INVALID_TENSOR',
      ],
      [
        'unknown output',
        { json: { ...tensor({}), outputs: [{ name: 'logits' }] } },
        400,
        'INVALID_TENSOR',
      ],
      [
        'not JSON',
        { body: '{"inputs": [', headers: { 'content-type': 'application/json' } },
        400,
        'MALFORMED_JSON',
      ],
      ['not an object', { json: [1, 2] }, 400, 'INVALID_TENSOR'],
      [
        'text body',
        { body: 'hello', headers: { 'content-type': 'text/plain' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'over the body limit',
        { json: tensor({ data: new Array(400_000).fill(100.123456) }) },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];
    for (const [what, init, status, code] of cases) {
      const answer = await call(infer, { method: 'POST', ...init } as Parameters<typeof call>[1]);
      expect(answer.status, what).toBe(status);
      expect(answer.headers.get('content-type'), what).toMatch(/application\/problem\+json/);
      expect(answer.body, what).toMatchObject({ code, status });
      expect(answer.body['error'], what).toBe(answer.body['detail']);
    }
    const unknown: [string, number, string][] = [
      ['/v2/models/nope/infer', 404, 'MODEL_NOT_FOUND'],
      ['/v2/models/fashion/versions/99/infer', 404, 'VERSION_NOT_FOUND'],
      ['/v2/models/fashion/versions/x/infer', 400, 'BAD_REQUEST'],
      ['/v2/models/fashion/versions/3/infer', 503, 'MODEL_NOT_READY'],
      ['/v2/models/-bad/infer', 400, 'INVALID_NAME'],
    ];
    for (const [path, status, code] of unknown) {
      const answer = await call(`${base}${path}`, { json: inferBody() });
      expect(answer.status, path).toBe(status);
      expect(answer.body, path).toMatchObject({ code });
      expect(answer.body['error'], path).toEqual(expect.any(String));
    }
    expect(await predictionCount()).toBe(before);
  });

  it('refuses bad image uploads with a 4xx, and stores nothing', async () => {
    const before = await predictionCount();
    // A PNG header claiming 20,000 × 20,000 pixels: refused from the header, never decoded.
    const huge = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    huge.writeUInt32BE(20_000, 16);
    huge.writeUInt32BE(20_000, 20);
    huge.writeInt32BE(crc32(huge.subarray(12, 29)), 29);
    const cases: [string, Buffer | null, number, string][] = [
      ['not an image', Buffer.from('this is not an image'), 400, 'INVALID_IMAGE'],
      ['empty', Buffer.alloc(0), 400, 'INVALID_IMAGE'],
      ['0×0 PGM', Buffer.from('P5\n0 0\n255\n'), 400, 'INVALID_IMAGE'],
      ['20,000×20,000 PGM', Buffer.from('P5\n20000 20000\n255\n'), 413, 'IMAGE_TOO_LARGE'],
      ['20,000×20,000 PNG', huge, 413, 'IMAGE_TOO_LARGE'],
      ['truncated PGM', Buffer.from('P5\n28 28\n255\nabc'), 400, 'INVALID_IMAGE'],
      [
        'a WebP',
        await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
          .webp()
          .toBuffer(),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['no image part', null, 400, 'INVALID_IMAGE'],
    ];
    for (const [what, bytes, status, code] of cases) {
      const form = new FormData();
      if (bytes) form.set('image', new Blob([bytes]), 'upload');
      else form.set('note', 'no image');
      const answer = await call(`${base}/models/fashion/predict`, { method: 'POST', body: form });
      expect(answer.status, what).toBe(status);
      expect(answer.body, what).toMatchObject({ code });
      expect(answer.body['error'], what).toBe(answer.body['detail']);
    }
    const json = await call(`${base}/models/fashion/predict`, { json: { image: 'x' } });
    expect(json.status).toBe(415);
    const other = new FormData();
    other.set('picture', new Blob([Buffer.from('x')]), 'x.png');
    expect(
      (await call(`${base}/models/fashion/predict`, { method: 'POST', body: other })).body,
    ).toMatchObject({
      status: 400,
      code: 'UNKNOWN_FIELD',
    });
    expect(await predictionCount()).toBe(before);
  });
});

/** CRC-32 of PNG chunks (type + data). */
function crc32(bytes: Uint8Array): number {
  let crc = -1;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return crc ^ -1;
}
