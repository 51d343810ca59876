import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServingServer, type RunningServingServer } from '../dist/index.js';
import { call, inferBody, registerAndWait } from './support/http.js';
import { buildTinyModels, type TinyModels } from './support/tiny-models.js';

let models: TinyModels;
let serving: RunningServingServer;
let dataDir: string;
let base: string;

beforeAll(async () => {
  models = await buildTinyModels(2);
  dataDir = await mkdtemp(join(tmpdir(), 'kiln-serving-swap-'));
  serving = await startServingServer({ dataDir, port: 0, benchmarkRuns: 10, maxBatchSize: 8 });
  base = serving.url;
  await registerAndWait(base, 'fashion', {
    artifact: models.models[0],
    evaluation: models.evaluation,
  });
  await registerAndWait(base, 'fashion', { artifact: models.models[1] });
}, 120_000);

afterAll(async () => {
  await serving?.close();
  await models?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Pids of the model processes `/health` lists, by version. */
async function processes(): Promise<Map<number, number>> {
  const health = await call<{ processes: { version: number; pid: number }[] }>(`${base}/health`);
  return new Map(health.body.processes.map((p) => [p.version, p.pid]));
}

const setChampion = (version: number) =>
  call(`${base}/models/fashion/aliases/champion`, { method: 'PUT', json: { version } });

describe('switching versions', () => {
  it('promotes and rolls back under constant load without failing a request', async () => {
    const statuses = new Map<number, number>();
    const served = new Map<string, number>();
    let stop = false;
    // Eight clients, each sending one request after another until the switches are done.
    const client = async (): Promise<void> => {
      while (!stop) {
        const answer = await call(`${base}/v2/models/fashion/infer`, { json: inferBody(1, 40) });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const version = String(answer.body['model_version']);
        served.set(version, (served.get(version) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const first = await processes();
    // Promote 2 (loaded as challenger: an instant switch), roll back to 1 (retired: a fresh
    // process loads it), and again: 6 switches.
    for (const version of [2, 1, 2, 1, 2, 1]) {
      const answer = await setChampion(version);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect((answer.body['aliases'] as Record<string, number>)['champion']).toBe(version);
    }
    stop = true;
    await Promise.all(clients);
    expect([...statuses.keys()]).toEqual([200]);
    expect(served.get('1')).toBeGreaterThan(0);
    expect(served.get('2')).toBeGreaterThan(0);
    // Version 1 was unloaded and loaded again: a new process; the old one has exited.
    const last = await processes();
    expect(last.get(1)).not.toBe(first.get(1));
    expect(() => process.kill(first.get(1)!, 0)).toThrow();
  });

  it('retires the version left without an alias, and records every move', async () => {
    const versions = await call<{ version: number; status: string; aliases: string[] }[]>(
      `${base}/models/fashion/versions`,
    );
    expect(versions.body.map((v) => [v.version, v.status, v.aliases])).toEqual([
      [2, 'retired', []],
      [1, 'ready', ['champion']],
    ]);
    expect(
      (await call(`${base}/v2/models/fashion/versions/2/infer`, { json: inferBody() })).status,
    ).toBe(503);
    const detail = await call<{
      history: { alias: string; version: number | null; previous: number | null }[];
    }>(`${base}/models/fashion`);
    expect(detail.body.history.slice(0, 3).map((h) => [h.alias, h.version, h.previous])).toEqual([
      ['champion', 1, 2],
      ['champion', 2, 1],
      ['champion', 1, 2],
    ]);
    // Promoting the challenger cleared it: the first promotion moved both aliases.
    expect(detail.body.history.some((h) => h.alias === 'challenger' && h.version === null)).toBe(
      true,
    );
  });

  it('refuses an unknown alias, a bad body and a version that is not there', async () => {
    const bad = await call(`${base}/models/fashion/aliases/staging`, {
      method: 'PUT',
      json: { version: 1 },
    });
    expect(bad.body).toMatchObject({ status: 400, code: 'INVALID_ALIAS' });
    const body = await call(`${base}/models/fashion/aliases/champion`, {
      method: 'PUT',
      json: { version: 'two' },
    });
    expect(body.body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    const extra = await call(`${base}/models/fashion/aliases/champion`, {
      method: 'PUT',
      json: { version: 1, x: 1 },
    });
    expect(extra.body).toMatchObject({ status: 400, code: 'UNKNOWN_FIELD' });
    const missing = await setChampion(9);
    expect(missing.body).toMatchObject({ status: 404, code: 'VERSION_NOT_FOUND' });
    const self = await call(`${base}/models/fashion/aliases/challenger`, {
      method: 'PUT',
      json: { version: 1 },
    });
    expect(self.body).toMatchObject({ status: 409, code: 'VERSION_UNUSABLE' });
    const get = await call(`${base}/models/fashion/aliases/champion`);
    expect(get.status).toBe(405);
  });
});
