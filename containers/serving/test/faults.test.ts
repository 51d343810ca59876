import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, inferBody, registerAndWait } from './support/http.js';
import { spawnServing, type ServingProcess } from './support/serving-process.js';
import { buildTinyModels, type TinyModels } from './support/tiny-models.js';

// The serving container as its own process (dist/main.js), as Docker and the launcher run it.
let models: TinyModels;
let dataDir: string;
let serving: ServingProcess;

beforeAll(async () => {
  models = await buildTinyModels(2);
  dataDir = await mkdtemp(join(tmpdir(), 'kiln-serving-faults-'));
  serving = await spawnServing(dataDir);
  await registerAndWait(serving.url, 'fashion', {
    artifact: models.models[0],
    evaluation: models.evaluation,
  });
  await registerAndWait(serving.url, 'fashion', { artifact: models.models[1] });
}, 120_000);

afterAll(async () => {
  await serving?.kill();
  await models?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface ProcessStatus {
  version: number;
  pid: number;
  pending: number;
  restarts: number;
  state: string;
}

async function processes(base: string): Promise<ProcessStatus[]> {
  return (await call<{ processes: ProcessStatus[] }>(`${base}/health`)).body.processes;
}

async function processOf(base: string, version: number): Promise<ProcessStatus> {
  const found = (await processes(base)).find((p) => p.version === version);
  if (!found) throw new Error(`no process for version ${version}`);
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a model process that crashes mid-request', () => {
  it('fails that request with a 503 problem, starts a new process, and the next request succeeds', async () => {
    const base = serving.url;
    const before = await processOf(base, 1);
    // Stopped, the process cannot answer: the request is surely in it when it is killed.
    process.kill(before.pid, 'SIGSTOP');
    const pending = call(`${base}/v2/models/fashion/infer`, { json: inferBody() });
    for (;;) {
      if ((await processOf(base, 1)).pending > 0) break;
    }
    process.kill(before.pid, 'SIGKILL');
    const failed = await pending;
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'MODEL_CRASHED', status: 503 });
    expect(failed.body['error']).toMatch(/was killed by SIGKILL during the request/);
    const next = await call(`${base}/v2/models/fashion/infer`, { json: inferBody() });
    expect(next.status).toBe(200);
    expect(next.body['model_version']).toBe('1');
    const after = await processOf(base, 1);
    expect(after.pid).not.toBe(before.pid);
    expect(after.restarts).toBe(1);
    expect(after.state).toBe('ready');
  });
});

describe('kill -9 of the serving container', () => {
  it('keeps versions, aliases and predictions; the champion serves again', async () => {
    const base = serving.url;
    const promoted = await call(`${base}/models/fashion/aliases/champion`, {
      method: 'PUT',
      json: { version: 2 },
    });
    expect(promoted.status).toBe(200);
    const rollback = await call(`${base}/models/fashion/aliases/challenger`, {
      method: 'PUT',
      json: { version: 1 },
    });
    expect(rollback.status).toBe(200);
    const answered = await call(`${base}/v2/models/fashion/infer`, { json: inferBody(2) });
    const ids = (answered.body['parameters'] as { prediction_ids: string[] }).prediction_ids;
    const versions = (await call(`${base}/models/fashion/versions`)).body;
    const models = (await call(`${base}/models`)).body;
    const children = (await processes(base)).map((p) => p.pid);

    await serving.kill();
    // The model processes leave with their server: they exit when their IPC channel closes.
    for (const pid of children) while (alive(pid)) await setTimeout(10);

    serving = await spawnServing(dataDir);
    const again = serving.url;
    expect((await call(`${again}/models`)).body).toEqual(models);
    expect((await call(`${again}/models/fashion/versions`)).body).toEqual(versions);
    const served = await call(`${again}/v2/models/fashion/infer`, { json: inferBody() });
    expect(served.status).toBe(200);
    expect(served.body['model_version']).toBe('2');
    expect((await call(`${again}/v2/models/fashion/versions/1/ready`)).status).toBe(200);
    for (const id of ids) expect((await call(`${again}/predictions/${id}`)).status).toBe(200);
    expect((await processes(again)).map((p) => p.version).sort()).toEqual([1, 2]);
  });

  it('ends ready a registration acknowledged just before the kill', async () => {
    const created = await call(`${serving.url}/models/other/versions`, {
      json: { artifact: models.models[0] },
    });
    expect(created.status).toBe(202);
    await serving.kill();
    serving = await spawnServing(dataDir);
    const version = await call(`${serving.url}/models/other/versions/1?wait=30`);
    expect(version.body).toMatchObject({ status: 'ready', aliases: ['champion'] });
  });
});
