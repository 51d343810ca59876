import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServingServer, type RunningServingServer } from '../dist/index.js';
import { call, inferBody, registerAndWait } from './support/http.js';
import { buildTinyModels, type TinyModels } from './support/tiny-models.js';

// The feedback half of the loop, in this process, on a model of a tiny real training that no
// pipeline serves (so nothing retrains by itself): labels on predictions and on new images, the
// faults, the policy's checks, the live figures and the snapshots (the tool-container half).
let models: TinyModels;
let serving: RunningServingServer;
let dataDir: string;
let base: string;

beforeAll(async () => {
  models = await buildTinyModels(1);
  dataDir = await mkdtemp(join(tmpdir(), 'kiln-feedback-'));
  serving = await startServingServer({ dataDir, port: 0, benchmarkRuns: 5 });
  base = serving.url;
  await registerAndWait(base, 'fashion', {
    artifact: models.models[0],
    evaluation: models.evaluation,
  });
}, 120_000);

afterAll(async () => {
  await serving?.close();
  await models?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Predicts `count` images by OIP; resolves with their prediction ids and predicted labels. */
async function predict(count: number, value = 40): Promise<{ id: string; label: number }[]> {
  const answer = await call<{
    outputs: { data: number[] }[];
    parameters: { prediction_ids: string[] };
  }>(`${base}/v2/models/fashion/infer`, { json: inferBody(count, value) });
  expect(answer.status).toBe(200);
  const data = answer.body.outputs[0]!.data;
  return answer.body.parameters.prediction_ids.map((id, i) => {
    const row = data.slice(i * 10, (i + 1) * 10);
    return { id, label: row.indexOf(Math.max(...row)) };
  });
}

const stats = async () =>
  (await call<Record<string, unknown>>(`${base}/feedback/stats?model=fashion`)).body;

/** A 40×30 colour PNG: a labelled image never predicted. */
const png = (): Promise<Buffer> =>
  sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 90, b: 30 } },
  })
    .png()
    .toBuffer();

function imageForm(fields: Record<string, string>, image?: Buffer): FormData {
  const form = new FormData();
  if (image) form.set('image', new Blob([new Uint8Array(image)]), 'coat.png');
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

describe('feedback on predictions', () => {
  it('keeps a label by class name or index, answers 201, and shows it everywhere', async () => {
    const [first, second] = await predict(2);
    const byName = await call(`${base}/feedback`, {
      json: { predictionId: first!.id, label: 'trouser' },
    });
    expect(byName.status).toBe(201);
    expect(byName.headers.get('location')).toBe(`/feedback/${byName.body['id'] as string}`);
    expect(byName.body).toMatchObject({
      model: 'fashion',
      predictionId: first!.id,
      label: 1,
      class: 'Trouser',
      used: false,
      heldOut: false,
      version: 1,
      predicted: first!.label,
      retrain: null,
    });
    const byIndex = await call(`${base}/feedback`, {
      json: { predictionId: second!.id, label: second!.label },
    });
    expect(byIndex.status).toBe(201);
    expect(byIndex.body).toMatchObject({ label: second!.label, predicted: second!.label });

    const labelled = await call<Record<string, unknown>[]>(
      `${base}/predictions?model=fashion&labelled=true`,
    );
    expect(labelled.body.map((p) => [p['id'], p['feedback']])).toEqual([
      [second!.id, second!.label],
      [first!.id, 1],
    ]);
    const unlabelled = await call<Record<string, unknown>[]>(`${base}/predictions?labelled=false`);
    expect(unlabelled.body.every((p) => p['feedback'] === null)).toBe(true);
    expect((await call(`${base}/predictions/${first!.id}`)).body['feedback']).toBe(1);

    // Live accuracy of version 1: one of its two predictions confirmed (unless it said trouser).
    const [version] = (await call<Record<string, unknown>[]>(`${base}/models/fashion/versions`))
      .body;
    expect(version).toMatchObject({
      feedbackCount: 2,
      feedbackAccuracy: first!.label === 1 ? 1 : 0.5,
    });
    expect(await stats()).toEqual({
      model: 'fashion',
      total: 2,
      unused: 2,
      pending: 2,
      heldOut: 0,
      threshold: 10,
      retraining: null,
    });
    const [model] = (await call<Record<string, unknown>[]>(`${base}/models`)).body;
    expect(model!['feedback']).toEqual({ total: 2, unused: 2 });
    const one = await call(`${base}/feedback/${byName.body['id'] as string}`);
    expect(one.body).toEqual(byName.body);
    const listed = await call<Record<string, unknown>[]>(`${base}/feedback?model=fashion`);
    expect(listed.body.map((f) => f['id'])).toEqual([byIndex.body['id'], byName.body['id']]);
  });

  it('refuses a second label for a prediction with a 409: the first stands', async () => {
    const [prediction] = await predict(1);
    const first = await call(`${base}/feedback`, {
      json: { predictionId: prediction!.id, label: 3 },
    });
    expect(first.status).toBe(201);
    const before = await stats();
    const second = await call(`${base}/feedback`, {
      json: { predictionId: prediction!.id, label: 4 },
    });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect(second.body).toMatchObject({ code: 'FEEDBACK_EXISTS', status: 409 });
    expect(second.body['detail']).toContain('the first label given stands');
    expect(await stats()).toEqual(before);
    expect((await call(`${base}/predictions/${prediction!.id}`)).body['feedback']).toBe(3);
  });

  it('refuses unknown predictions, labels outside the classes and bad bodies, storing nothing', async () => {
    const [prediction] = await predict(1);
    const before = await stats();
    const refused: [unknown, number, string][] = [
      [{ predictionId: 'no-such-prediction', label: 1 }, 404, 'PREDICTION_NOT_FOUND'],
      [{ predictionId: prediction!.id, label: 10 }, 422, 'INVALID_LABEL'],
      [{ predictionId: prediction!.id, label: -1 }, 422, 'INVALID_LABEL'],
      [{ predictionId: prediction!.id, label: 'Sandals' }, 422, 'INVALID_LABEL'],
      [{ predictionId: prediction!.id, label: 2.5 }, 422, 'INVALID_LABEL'],
      [{ predictionId: prediction!.id }, 422, 'INVALID_LABEL'],
      [{ label: 1 }, 422, 'VALIDATION_FAILED'],
      [{ predictionId: prediction!.id, label: 1, extra: true }, 400, 'UNKNOWN_FIELD'],
      [[prediction!.id, 1], 400, 'BAD_REQUEST'],
    ];
    for (const [json, status, code] of refused) {
      const answer = await call(`${base}/feedback`, { json });
      expect([JSON.stringify(json), answer.status, answer.body['code']]).toEqual([
        JSON.stringify(json),
        status,
        code,
      ]);
    }
    const text = await call(`${base}/feedback`, {
      body: 'label=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(await stats()).toEqual(before);
    expect((await call(`${base}/predictions/${prediction!.id}`)).body['feedback']).toBeNull();
  });
});

describe('labelled images', () => {
  it('takes an image never predicted with its label, as multipart', async () => {
    const answer = await call(`${base}/feedback`, {
      body: imageForm({ label: 'Coat', model: 'fashion' }, await png()),
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      model: 'fashion',
      predictionId: null,
      version: null,
      predicted: null,
      label: 4,
      class: 'Coat',
    });
    const input = await fetch(`${base}/feedback/${answer.body['id'] as string}/input`);
    expect(input.headers.get('content-type')).toBe('image/png');
    const { width, height } = await sharp(Buffer.from(await input.arrayBuffer())).metadata();
    expect([width, height]).toEqual([28, 28]);
  });

  it('refuses a missing or bad label, a missing image and what is not an image', async () => {
    const before = await stats();
    const image = await png();
    const cases: [FormData, number, string][] = [
      [imageForm({ model: 'fashion' }, image), 422, 'VALIDATION_FAILED'],
      [imageForm({ label: '12' }, image), 422, 'INVALID_LABEL'],
      [imageForm({ label: 'Sandals' }, image), 422, 'INVALID_LABEL'],
      [imageForm({ label: '1' }), 400, 'INVALID_IMAGE'],
      [imageForm({ label: '1', model: 'nope' }, image), 404, 'MODEL_NOT_FOUND'],
      [imageForm({ label: '1', colour: 'red' }, image), 400, 'UNKNOWN_FIELD'],
      [imageForm({ label: '1' }, Buffer.from('not an image at all')), 400, 'INVALID_IMAGE'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await call(`${base}/feedback`, { body });
      expect([answer.status, answer.body['code']]).toEqual([status, code]);
    }
    expect(await stats()).toEqual(before);
  });
});

describe('the retraining policy', () => {
  it('has defaults, and refuses bad fields with a 422 that stores nothing', async () => {
    const url = `${base}/models/fashion/policy`;
    const initial = (await call(url)).body;
    expect(initial).toEqual({
      enabled: false,
      threshold: 10,
      pipeline: null,
      metric: 'accuracy',
      margin: 0,
      holdOutEvery: 5,
    });
    const refusals: [Record<string, unknown>, string][] = [
      [{ threshold: -1 }, '/threshold'],
      [{ threshold: 0 }, '/threshold'],
      [{ threshold: 2.5 }, '/threshold'],
      [{ metric: 'f1' }, '/metric'],
      [{ pipeline: 'no-such-pipeline' }, '/pipeline'],
      [{ pipeline: '../x' }, '/pipeline'],
      [{ margin: 2 }, '/margin'],
      [{ holdOutEvery: 1 }, '/holdOutEvery'],
      [{ enabled: 'yes' }, '/enabled'],
      [{ enabled: true }, '/pipeline'],
    ];
    for (const [json, path] of refusals) {
      const answer = await call(url, { method: 'PUT', json });
      expect([JSON.stringify(json), answer.status, answer.body['code']]).toEqual([
        JSON.stringify(json),
        422,
        'VALIDATION_FAILED',
      ]);
      expect((answer.body['errors'] as { path: string }[]).map((e) => e.path)).toContain(path);
    }
    const several = await call(url, { method: 'PUT', json: { threshold: -3, metric: 'loss' } });
    expect((several.body['errors'] as { path: string }[]).map((e) => e.path)).toEqual([
      '/threshold',
      '/metric',
    ]);
    expect((await call(url, { method: 'PUT', json: { bogus: 1 } })).status).toBe(400);
    expect((await call(`${base}/models/nope/policy`)).status).toBe(404);
    expect((await call(url)).body).toEqual(initial);

    const set = await call(url, { method: 'PUT', json: { threshold: 4, margin: 0.02 } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ ...initial, threshold: 4, margin: 0.02 });
    expect((await call(url)).body).toEqual(set.body);
    expect((await stats())['threshold']).toBe(4);
  });

  it('holds out every fifth label of a model, and refuses a retrain without a pipeline', async () => {
    const given = (await stats())['total'] as number;
    const predictions = await predict(10 - given, 90);
    for (const prediction of predictions) {
      const answer = await call(`${base}/feedback`, {
        json: { predictionId: prediction.id, label: 0 },
      });
      expect(answer.status).toBe(201);
    }
    const labels = (await call<Record<string, unknown>[]>(`${base}/feedback?model=fashion`)).body;
    expect(labels.filter((f) => f['heldOut']).length).toBe(2);
    expect(labels.map((f) => f['heldOut'])).toEqual(
      [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((n) => n % 5 === 0),
    );
    expect(await stats()).toMatchObject({ total: 10, pending: 10, heldOut: 2 });
    const retrain = await call(`${base}/models/fashion/retrains`, { method: 'POST' });
    expect(retrain.status).toBe(409);
    expect(retrain.body['code']).toBe('NOTHING_TO_RETRAIN');
    expect((await call(`${base}/models/fashion/retrains`)).body).toEqual([]);
  });
});

describe('snapshots: the serving container is a tool container too', () => {
  it('describes itself as serving, with a tool’s fields', async () => {
    const description = (await call(`${base}/`)).body;
    expect(description).toMatchObject({
      kind: 'serving',
      api: 'kiln/v1',
      models: ['fashion'],
      artifactType: 'labelled-dataset',
      inputFiles: [],
    });
    expect((description['parameters'] as { required: string[] }).required).toEqual(['model']);
  });

  it('snapshots the labels as IDX files: to train on, and held out', async () => {
    const created = await call(`${base}/artifacts`, {
      json: { name: 'fashion-labels', parameters: { model: 'fashion' } },
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe('/artifacts/fashion-labels/');
    const status = await call(`${base}/artifacts/fashion-labels/status?wait=30`);
    expect(status.body['status']).toBe('completed');
    const record = await call<{ files: { path: string }[] }>(`${base}/artifacts/fashion-labels/`);
    expect(record.body.files.map((f) => f.path).sort()).toEqual([
      'snapshot.json',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
    const summary = (await call(`${base}/artifacts/fashion-labels/data/snapshot.json`)).body;
    expect(summary).toMatchObject({ model: 'fashion', train: { count: 8 }, heldOut: { count: 2 } });
    const images = gunzipSync(
      await (
        await fetch(`${base}/artifacts/fashion-labels/data/train-images-idx3-ubyte.gz`)
      ).arrayBuffer(),
    );
    expect([...images.subarray(0, 4)]).toEqual([0, 0, 8, 3]);
    expect([images.readUInt32BE(4), images.readUInt32BE(8), images.readUInt32BE(12)]).toEqual([
      8, 28, 28,
    ]);
    expect(images.length).toBe(16 + 8 * 784);
    const labels = gunzipSync(
      await (
        await fetch(`${base}/artifacts/fashion-labels/data/t10k-labels-idx1-ubyte.gz`)
      ).arrayBuffer(),
    );
    expect([...labels.subarray(8)]).toEqual([0, 0]);
    const listed = await call<Record<string, unknown>[]>(`${base}/artifacts`);
    expect(listed.body.map((a) => a['name'])).toEqual(['fashion-labels']);
  });

  it('refuses a snapshot with bad parameters as any tool does', async () => {
    const answer = await call(`${base}/artifacts`, { json: { parameters: { model: 3 } } });
    expect(answer.status).toBe(422);
    const empty = await call(`${base}/artifacts`, {
      json: { name: 'nobody', parameters: { model: 'nobody' } },
    });
    expect(empty.status).toBe(202);
    const status = await call(`${base}/artifacts/nobody/status?wait=30`);
    expect(status.body).toMatchObject({ status: 'failed' });
    expect(status.body['error']).toContain("'nobody' has no labels");
  });
});
