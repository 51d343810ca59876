import type { FeedbackInfo, RetrainInfo, StepInfo } from '@kiln/api';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kiln, type ServingClient } from '@kiln/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, inferBody } from './support/http.js';
import { LoopProject } from './support/loop-project.js';

// The whole loop through real processes on tiny real data: the real fashion-mnist pipeline on
// the six real containers, the serving container watching it. Labels start retraining runs by
// themselves; the runs train on the original data plus a snapshot of the labels; the gate
// promotes or rejects; a cancelled run releases its labels; `kill -9` mid-run and mid-feedback
// loses nothing and starts nothing twice.
const MODEL = 'fashion-mnist';
let project: LoopProject;
let serving: ServingClient;

beforeAll(async () => {
  project = await LoopProject.start();
  await project.startServing();
  serving = Kiln.direct(project.serving.url).serving();
  const run = await call(`${project.pipelineUrl}/runs`, {
    json: { name: 'first', parameters: project.tinyRun() },
  });
  expect(run.status).toBe(202);
  await call(`${project.pipelineUrl}/runs/first/status?wait=60`);
  // The watcher registers the run's model as version 1.
  for (;;) {
    const models = await serving.models();
    if (models.length > 0) break;
    await call(`${project.pipelineUrl}/runs/first/status?wait=1`);
  }
  const first = await serving.waitForVersion(MODEL, 1, { timeout: 60_000 });
  expect(first).toMatchObject({ status: 'ready', aliases: ['champion'] });
}, 180_000);

afterAll(async () => {
  await project?.close();
});

/** The `kiln` command line, as a reader runs it. */
function kiln(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = fileURLToPath(new URL('../../../base/cli/dist/main.js', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, stdout, stderr }),
    );
  });
}

/** Predicts `count` images by OIP and labels each one; resolves with the labels. */
async function giveLabels(count: number, label = 'Trouser'): Promise<FeedbackInfo[]> {
  const answer = await serving.infer(MODEL, inferBody(count, 60) as never);
  const given: FeedbackInfo[] = [];
  for (const id of answer.parameters.prediction_ids) given.push(await serving.feedback(id, label));
  return given;
}

/** Keeps OIP requests going (two at a time) until stopped; resolves with the outcomes. */
function constantLoad(): { stop(): Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const worker = async (): Promise<void> => {
    while (running) {
      const answer = await call(`${project.serving.url}/v2/models/${MODEL}/infer`, {
        json: inferBody(1, 30),
      });
      if (answer.status === 200) ok += 1;
      else failed.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };
  const workers = [worker(), worker()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return { ok, failed };
    },
  };
}

/** Holds the train container's only mule with a long training, until cancelled. */
async function blockTraining(name: string): Promise<() => Promise<void>> {
  const steps = (await call<StepInfo[]>(`${project.pipelineUrl}/runs/first/steps`)).body;
  const split = steps.find((step) => step.step === 'split')!.url;
  const train = project.tools.get('train')!.url;
  const created = await call(`${train}/artifacts`, {
    json: {
      name,
      parameters: { dataset: split, epochs: 1000, batchSize: 1, backend: 'wasm', hiddenUnits: [8] },
    },
  });
  expect(created.status).toBe(202);
  return async () => {
    await call(`${train}/artifacts/${name}/cancel`, { method: 'POST' });
  };
}

/** The next `retrain` event of the serving container, once its stream is open. */
function nextRetrain(): { open: Promise<void>; run: Promise<RetrainInfo> } {
  const abort = new AbortController();
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const run = (async () => {
    for await (const event of serving.events({ signal: abort.signal, onOpen: () => opened() })) {
      if (event.type === 'retrain') return event.retrain;
    }
    throw new Error('the event stream ended');
  })().finally(() => abort.abort());
  return { open, run };
}

/** A retraining run whose pipeline run was started. */
const startedRun = (run: RetrainInfo): boolean => run.status !== 'snapshotting';

/** Waits until a step of a pipeline run has completed, following the pipeline's events. */
async function stepDone(run: string, step: string): Promise<void> {
  const pipeline = Kiln.direct(project.pipelineUrl).pipeline();
  const abort = new AbortController();
  const done = async (): Promise<boolean> => {
    const found = (await pipeline.steps(run)).find((s) => s.step === step);
    if (!found) return false;
    const { client, name } = Kiln.artifactAt(found.url, { topology: project.topology });
    return (await client.wait(name, { timeout: 60_000 })).status === 'completed';
  };
  try {
    let opened: Promise<boolean> | undefined;
    for await (const event of pipeline.events({
      signal: abort.signal,
      onOpen: () => {
        opened = done();
      },
    })) {
      if (await opened) return;
      if (event.artifact.name === run && (await done())) return;
    }
  } finally {
    abort.abort();
  }
}

/** The pipeline's runs of that name (none or one). */
async function runsNamed(run: string): Promise<string[]> {
  const runs = (await call<{ name: string }[]>(`${project.pipelineUrl}/runs`)).body;
  return runs.map((r) => r.name).filter((name) => name === run);
}

describe('continuous training', () => {
  it('starts one retraining run at the tenth label, trains on the labels, and promotes', async () => {
    await serving.setPolicy(MODEL, { margin: 1 });
    const load = constantLoad();
    const given = await giveLabels(9);
    expect((await serving.feedbackStats(MODEL)).retraining).toBeNull();
    given.push(...(await giveLabels(1)));
    // The tenth label's 201 comes after the run was recorded (the label is committed first).
    const stats = await serving.feedbackStats(MODEL);
    expect(stats).toMatchObject({ total: 10, unused: 10, pending: 0, heldOut: 2, threshold: 10 });
    expect(stats.retraining).toMatchObject({ pipeline: MODEL, id: 1 });
    const run = stats.retraining!.run;
    expect(run).toMatch(/^fashion-mnist-retrain-1-[0-9a-f]{6}$/);

    const final = await serving.waitForRetrain(MODEL, 1, { timeout: 120_000 });
    const { ok, failed } = await load.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(final).toMatchObject({
      id: 1,
      model: MODEL,
      pipeline: MODEL,
      run,
      trigger: 'threshold',
      status: 'promoted',
      labels: 10,
      trained: 8,
      version: 2,
      reason: null,
    });
    expect(final.snapshot).toMatch(/^http:\/\/serving:8080\/artifacts\/fashion-mnist-feedback-1-/);
    expect(final.verdict).toMatchObject({
      promoted: true,
      metric: 'accuracy',
      margin: 1,
      challenger: { version: 2, heldOutCount: 2 },
      champion: { version: 1, heldOutCount: 2 },
    });
    expect(final.verdict!.challenger.accuracy).toBeGreaterThan(0);
    expect(final.verdict!.reason).toMatch(/^promoted: accuracy .* challenger v2: .* champion v1: /);

    // The run trained on the original data plus the eight labels not held out.
    expect(await runsNamed(run)).toEqual([run]);
    const parameters = (await call(`${project.pipelineUrl}/runs/${run}/input-parameters`)).body;
    expect(parameters).toMatchObject({ ...project.tinyRun(), extraTrainingData: final.snapshot });
    const steps = (await call<StepInfo[]>(`${project.pipelineUrl}/runs/${run}/steps`)).body;
    const split = steps.find((step) => step.step === 'split')!;
    const manifest = (
      await call<{ provenance: { extra: unknown } }>(
        `${project.tools.get('split')!.url}/artifacts/${split.artifact}/data/manifest.json`,
      )
    ).body;
    expect(manifest.provenance.extra).toEqual({ count: 8, copies: 1 });

    const [version2] = await serving.versions(MODEL);
    expect(version2).toMatchObject({
      version: 2,
      status: 'ready',
      aliases: ['champion'],
      source: { pipeline: MODEL, run, retrain: 1 },
    });
    expect((await serving.model(MODEL)).aliases).toEqual({ champion: 2 });
    expect(await serving.feedbackStats(MODEL)).toMatchObject({
      total: 10,
      unused: 0,
      pending: 0,
      retraining: null,
    });
    const labels = await serving.feedbackList({ model: MODEL });
    expect(labels.every((label) => label.used && label.retrain === 1)).toBe(true);
    expect(given.map((label) => label.id).sort()).toEqual(labels.map((label) => label.id).sort());
  });

  it('rejects a challenger the gate finds wanting, with both figures, and keeps the champion', async () => {
    // A negative margin asks the challenger to beat the champion by 100 points: it cannot.
    await serving.setPolicy(MODEL, { margin: -1, metric: 'heldOutAccuracy' });
    await giveLabels(10, 'Bag');
    const final = await serving.waitForRetrain(MODEL, 2, { timeout: 120_000 });
    expect(final).toMatchObject({ status: 'rejected', version: 3, labels: 10, trained: 16 });
    expect(final.verdict).toMatchObject({
      promoted: false,
      metric: 'heldOutAccuracy',
      margin: -1,
      challenger: { version: 3, heldOutCount: 4 },
      champion: { version: 2, heldOutCount: 4 },
    });
    expect(final.verdict!.reason).toMatch(
      /^rejected: heldOutAccuracy .* < .* challenger v3: test .*, held-out feedback .*; champion v2: /,
    );
    const version3 = await serving.version(MODEL, 3);
    expect(version3).toMatchObject({
      status: 'rejected',
      aliases: [],
      reason: final.verdict!.reason,
    });
    expect((await serving.model(MODEL)).aliases).toEqual({ champion: 2 });
  });

  it('rolls back to the first version with no failed request', async () => {
    const load = constantLoad();
    const detail = await serving.promote(MODEL, 1);
    const { failed } = await load.stop();
    expect(failed).toEqual([]);
    expect(detail.aliases).toEqual({ champion: 1 });
    await serving.promote(MODEL, 2);
  });

  it('releases the labels of a run that is cancelled, and a person can start the next', async () => {
    await serving.setPolicy(MODEL, { margin: 1, metric: 'accuracy' });
    const unblock = await blockTraining('blocker-1');
    await giveLabels(10, 'Coat');
    const stats = await serving.feedbackStats(MODEL);
    expect(stats.retraining?.id).toBe(3);
    // The run waits for the train container behind the blocker: cancel it there.
    await serving.waitForRetrain(MODEL, 3, { timeout: 60_000, until: startedRun });
    const cancelled = await call(`${project.pipelineUrl}/runs/${stats.retraining!.run}/cancel`, {
      method: 'POST',
    });
    expect(cancelled.status).toBe(202);
    const final = await serving.waitForRetrain(MODEL, 3, { timeout: 60_000 });
    await unblock();
    expect(final).toMatchObject({ status: 'cancelled', reason: 'the pipeline run was cancelled' });
    expect(await serving.feedbackStats(MODEL)).toMatchObject({
      unused: 10,
      pending: 10,
      retraining: null,
    });
    // By hand, with the command line, which waits for the verdict.
    const announced = nextRetrain();
    await announced.open;
    const again = kiln('retrain', MODEL, '--serving', project.serving.url, '--wait');
    const started = await announced.run;
    expect(started).toMatchObject({ id: 4, trigger: 'manual', status: 'snapshotting', labels: 10 });
    const twice = await call(`${project.serving.url}/models/${MODEL}/retrains`, { method: 'POST' });
    expect([twice.status, twice.body['code']]).toEqual([409, 'RETRAIN_RUNNING']);
    const done = await again;
    expect(done.code, done.stderr).toBe(0);
    // Progress lines go to stderr, the verdict to stdout.
    expect(done.stderr).toContain(`${MODEL}: retraining run 4 (${started.run} of ${MODEL}) gating`);
    expect(done.stdout).toMatch(
      new RegExp(
        `^${MODEL}: retraining run 4 \\(${started.run} of ${MODEL}\\) promoted: accuracy [\\d.]+% >= [\\d.]+% - margin 100.00 points\\. challenger v4: .*\\n$`,
      ),
    );
    const models = await kiln('models', '--serving', project.serving.url);
    expect(models.stdout).toMatch(
      /\nfashion-mnist\s+4\s+-\s+4\s+30\s+0\s+retrain with fashion-mnist every 10 labels; promote if accuracy >= champion's - 100 pts\n$/,
    );
  });
});

describe('kill -9', () => {
  it('mid-retraining and mid-feedback: every acknowledged label kept, the run followed, never started twice', async () => {
    await serving.setPolicy(MODEL, { threshold: 10 });
    const unblock = await blockTraining('blocker-2');
    await giveLabels(10, 'Sneaker');
    const stats = await serving.feedbackStats(MODEL);
    const run = stats.retraining!.run;
    const id = stats.retraining!.id;
    // Once the pipeline run has fetched the snapshot (its split is done; its training waits
    // behind the blocker), raise the threshold so that the burst below starts nothing more, and
    // kill the container in the middle of the burst.
    await serving.waitForRetrain(MODEL, id, { timeout: 60_000, until: startedRun });
    expect(await runsNamed(run)).toEqual([run]);
    await stepDone(run, 'split');
    await serving.setPolicy(MODEL, { threshold: 1000 });
    const aliases = (await serving.model(MODEL)).aliases;
    const predictions = await serving.infer(MODEL, inferBody(40, 80) as never);
    const acknowledged: string[] = [];
    const burst = predictions.parameters.prediction_ids.map(async (predictionId, i) => {
      const answer = await fetch(`${project.serving.url}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ predictionId, label: i % 10 }),
      }).catch(() => null);
      if (answer?.status === 201) {
        acknowledged.push(((await answer.json()) as FeedbackInfo).id);
        if (acknowledged.length === 5) await project.serving.kill();
      }
    });
    await Promise.all(burst);
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);

    await project.startServing();
    serving = Kiln.direct(project.serving.url).serving();
    expect((await serving.model(MODEL)).aliases).toEqual(aliases);
    const kept = new Set((await serving.feedbackList({ limit: 1000 })).map((label) => label.id));
    expect(acknowledged.filter((label) => !kept.has(label))).toEqual([]);
    const picked = await serving.retrainRun(MODEL, id);
    expect(['snapshotting', 'running']).toContain(picked.status);
    await unblock();
    const final: RetrainInfo = await serving.waitForRetrain(MODEL, id, { timeout: 120_000 });
    expect(final).toMatchObject({ status: 'promoted', run, reason: null });
    // One pipeline run per retraining run, ever.
    const retrains = await serving.retrains(MODEL);
    const runs = (await call<{ name: string }[]>(`${project.pipelineUrl}/runs`)).body.filter((r) =>
      r.name.startsWith(`${MODEL}-retrain-`),
    );
    expect(runs.map((r) => r.name).sort()).toEqual(retrains.map((r) => r.run).sort());
    // The labels of the burst came during the run: they wait for the next one.
    const pending = (await serving.feedbackStats(MODEL)).pending;
    expect(pending).toBeGreaterThanOrEqual(acknowledged.length);
    expect(pending).toBeLessThanOrEqual(40);
  });
});
