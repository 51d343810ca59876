#!/usr/bin/env node
// The feedback loop's benchmark (`npm run bench feedback`), on the full Fashion-MNIST of
// Debian's dataset-fashion-mnist (the bundled subset when it is missing, said so) and the
// example's default pipeline, all on loopback: the six tool containers (in this process), the
// fashion-mnist pipeline and the serving container (each its own process), wired by one
// topology as `npm start` wires them.
//
// 1. A scenario (KILN_FEEDBACK_BENCH_SCENARIO): the served model (the pipeline's default run)
//    predicts the 10,000 test images people send, and they give the right labels of some, one
//    by one, with every second label held out (`holdOutEvery: 2`): half are trained on, the
//    other half are *other* images the retrained model never sees. The gate's verdict gives
//    both models' accuracy on the held-out half: before and after.
//    - `wrong` (default): the images are the test set; people label those the model got wrong
//      (so before is 0% by construction). A model trained again gets some of them right anyway,
//      so a control model (the same run with another seed and no labels) is scored on them too.
//    - `inverted`: people send their images with the colours inverted (dark clothes on a light
//      background, as photos are), which the model never saw; they label the first ones.
//    Accuracy on the other test images, upright, shows what the labels cost the usual case.
// 2. The timing: with the default threshold (10), the time from the 10th label's answer to the
//    gate's verdict, KILN_BENCH_RUNS times (median), with the CPU seconds every process of the
//    project used meanwhile (the machine may be shared, so wall time alone says little).
import { ModelVersionStatus } from '@kiln/api';
import { Kiln } from '@kiln/client';
import { startToolServer } from '@kiln/core';
import { IDX_FILE_NAMES, BUNDLED_DATASET_DIR, readIdxFile } from '@kiln/fashion-mnist';
import { Topology } from '@kiln/topology';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SYSTEM_DATA = '/usr/share/datasets/fashion-mnist';
const DATA = process.env.KILN_FEEDBACK_BENCH_DATA ?? SYSTEM_DATA;
const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 3);
const LABELS = Number(process.env.KILN_FEEDBACK_BENCH_LABELS ?? 1000);
/** `wrong`: labels on test images v1 gets wrong; `inverted`: on test images with colours inverted. */
const SCENARIO = process.env.KILN_FEEDBACK_BENCH_SCENARIO ?? 'wrong';
/** Copies of each label in training (the runs' extraTrainingCopies, which retrainings inherit). */
const COPIES = Number(process.env.KILN_FEEDBACK_BENCH_COPIES ?? 1);
const MODEL = 'fashion-mnist';
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'];
const CLOCK_TICKS = 100;

const log = (line) => process.stdout.write(`${line}\n`);
const pct = (x) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** CPU seconds (user + system) of this process and every descendant, the exited ones included. */
function treeCpuSeconds() {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // After the name: state ppid … utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
      });
    } catch {
      // the process ended while it was read
    }
  }
  const inTree = (pid) => {
    for (let at = pid, hops = 0; at > 1 && hops < 64; hops++) {
      if (at === process.pid) return true;
      at = stats.get(at)?.ppid ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, stat] of stats) if (inTree(pid)) ticks += stat.ticks;
  return ticks / CLOCK_TICKS;
}

/** Starts a process and resolves with the URL it prints. */
function spawnListening(args, env, pattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = pattern.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

async function startProject(root) {
  const ports = new Map();
  for (const name of [...TOOLS, MODEL, 'serving']) ports.set(name, await freePort());
  const addresses = [...ports].map(([name, port]) => `${name}=http://127.0.0.1:${port}`).join(',');
  const topology = new Topology({
    services: [...ports].map(([name, port]) => ({ name, address: `http://127.0.0.1:${port}` })),
  });
  const tools = [];
  for (const tool of TOOLS) {
    tools.push(
      await startToolServer({
        modulePath: join(REPO, `containers/${tool}/dist/tool.js`),
        dataDir: join(root, tool),
        port: ports.get(tool),
        topology,
      }),
    );
  }
  const pipeline = await spawnListening(
    [
      join(REPO, 'base/cli/dist/main.js'),
      'serve',
      join(REPO, 'containers/pipeline/dist/pipelines/fashion-mnist.js'),
      '--port',
      String(ports.get(MODEL)),
      '--data',
      join(root, 'pipeline'),
    ],
    { KILN_SERVICE_ADDRESSES: addresses },
    /listening on (http:\/\/\S+)/,
  );
  const serving = await spawnListening(
    [join(REPO, 'containers/serving/dist/main.js')],
    {
      PORT: String(ports.get('serving')),
      DATA_DIR: join(root, 'serving'),
      KILN_SERVING_WATCH: MODEL,
      KILN_SERVICE_ADDRESSES: addresses,
    },
    /serving listening on (http:\/\/\S+)/,
  );
  return {
    pipeline: Kiln.direct(pipeline.url).pipeline(),
    serving: Kiln.direct(serving.url).serving(),
    topology,
    close: async () => {
      for (const child of [serving.child, pipeline.child]) {
        if (child.exitCode !== null) continue;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      for (const tool of tools) await tool.close();
    },
  };
}

/** The test set: raw pixels and labels. */
async function testSet(dir) {
  const file = (role) => {
    const base = join(dir, IDX_FILE_NAMES[role]);
    return existsSync(`${base}.gz`) ? `${base}.gz` : base;
  };
  const images = await readIdxFile(file('test-images'));
  const labels = await readIdxFile(file('test-labels'));
  return { count: labels.data.length, pixels: images.data, labels: labels.data };
}

/** Predicts images by OIP (a version, or the champion): prediction ids and predicted classes. */
async function predict(serving, test, indices, version) {
  const ids = [];
  const predicted = [];
  for (let from = 0; from < indices.length; from += 250) {
    const batch = indices.slice(from, from + 250);
    const data = new Array(batch.length * 784);
    batch.forEach((index, row) =>
      test.pixels
        .subarray(index * 784, (index + 1) * 784)
        .forEach((p, i) => (data[row * 784 + i] = p)),
    );
    const answer = await serving.infer(
      MODEL,
      { inputs: [{ name: 'images', shape: [batch.length, 784], datatype: 'UINT8', data }] },
      version === undefined ? {} : { version },
    );
    const probabilities = answer.outputs[0].data;
    ids.push(...answer.parameters.prediction_ids);
    for (let row = 0; row < batch.length; row++) {
      const scores = probabilities.slice(row * 10, row * 10 + 10);
      predicted.push(scores.indexOf(Math.max(...scores)));
    }
  }
  return { ids, predicted };
}

const accuracyOn = (test, indices, predicted) =>
  indices.filter((index, i) => predicted[i] === test.labels[index]).length / indices.length;

/** Runs the pipeline and waits for it; resolves with the run's summary. */
async function run(pipeline, name, parameters) {
  await pipeline.run({ name, parameters });
  const done = await pipeline.wait(name);
  if (done.status !== 'completed') throw new Error(`run ${name} ${done.status}: ${done.error}`);
  return done;
}

/** Gives labels; resolves with the time the last answer came. */
async function giveLabels(serving, test, items) {
  for (const { id, index } of items) await serving.feedback(id, test.labels[index]);
  return performance.now();
}

/** The retraining run the last label started, once judged. */
async function verdictOf(serving) {
  const stats = await serving.feedbackStats(MODEL);
  if (!stats.retraining) throw new Error('no retraining run started');
  return serving.waitForRetrain(MODEL, stats.retraining.id);
}

/** The images people send in a scenario: the test set as it is, or with its colours inverted. */
function shownAs(test, scenario) {
  if (scenario !== 'inverted') return test;
  return { ...test, pixels: test.pixels.map((pixel) => 255 - pixel) };
}

async function main() {
  const full =
    existsSync(join(DATA, `${IDX_FILE_NAMES['test-images']}.gz`)) ||
    existsSync(join(DATA, IDX_FILE_NAMES['test-images']));
  const dataDir = full ? DATA : BUNDLED_DATASET_DIR;
  log(
    `feedback loop benchmark: dataset ${full ? dataDir : `bundled subset (${DATA} is missing)`}, scenario '${SCENARIO}' with ${LABELS} labels (each trained on ${COPIES} time(s)), ${RUNS} timed retrainings`,
  );
  const root = await mkdtemp(join(tmpdir(), 'kiln-feedback-bench-'));
  const project = await startProject(root);
  const { pipeline, serving } = project;
  try {
    const base = { source: 'path', path: dataDir, extraTrainingCopies: COPIES };
    let started = performance.now();
    await run(pipeline, 'base', base);
    log(`base run (the example's defaults): ${secs(performance.now() - started)}`);
    for (;;) {
      if ((await serving.models()).length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const champion = await serving.waitForVersion(MODEL, 1);
    if (champion.status !== ModelVersionStatus.Ready)
      throw new Error(`version 1 ${champion.status}`);
    const test = await testSet(dataDir);
    const shown = shownAs(test, SCENARIO);
    const all = [...Array(test.count).keys()];
    const upright = await predict(serving, test, all);
    const before = SCENARIO === 'inverted' ? await predict(serving, shown, all) : upright;
    const wrong = all.filter((index, i) => before.predicted[i] !== test.labels[index]);
    log(
      `champion v1: ${pct(accuracyOn(test, all, upright.predicted))} on the ${test.count} test images${SCENARIO === 'inverted' ? `, ${pct(accuracyOn(test, all, before.predicted))} on them inverted` : ''}; ${wrong.length} wrong`,
    );

    // The images people label: those v1 got wrong, or (inverted) the first ones they sent.
    const pool = SCENARIO === 'inverted' ? all : wrong;
    const count = Math.min(LABELS, pool.length - (pool.length % 2));
    const given = pool.slice(0, count).map((index) => ({ index, id: before.ids[index] }));
    const trained = given.filter((_, i) => i % 2 === 0).map((item) => item.index);
    const heldOut = given.filter((_, i) => i % 2 === 1).map((item) => item.index);
    const givenSet = new Set(given.map((item) => item.index));
    const rest = all.filter((index) => !givenSet.has(index));
    const uprightRest = upright.predicted.filter((_, i) => !givenSet.has(i));

    // The control: the same run with another seed and no labels.
    started = performance.now();
    await run(pipeline, 'control', { ...base, seed: 2 });
    const steps = await pipeline.steps('control');
    const url = (step) => steps.find((s) => s.step === step).url;
    const control = await serving.register(MODEL, {
      artifact: url('train'),
      evaluation: url('export'),
    });
    await serving.waitForVersion(MODEL, control.version);
    const controlHeld = await predict(serving, shown, heldOut, control.version);
    const controlRest = await predict(serving, test, rest, control.version);
    log(`control (seed 2, no labels): ${secs(performance.now() - started)}`);

    // The labels, every second held out: one retraining run at the last.
    await serving.setPolicy(MODEL, {
      threshold: count,
      holdOutEvery: 2,
      metric: 'heldOutAccuracy',
      margin: 1,
    });
    const scenarioStart = await giveLabels(serving, test, given);
    const scenario = await verdictOf(serving);
    const scenarioMs = performance.now() - scenarioStart;
    const after = scenario.version;
    const afterRest = await predict(serving, test, rest, after);
    const v = scenario.verdict;
    const what = SCENARIO === 'inverted' ? 'inverted test images' : 'test images v1 got wrong';
    log('');
    log(
      `scenario '${SCENARIO}': ${count} labels on ${what}, ${trained.length} trained on, ${heldOut.length} held out; retraining ${scenario.status} in ${secs(scenarioMs)}`,
    );
    log(
      `  accuracy on the ${heldOut.length} held-out ${what} (never trained on): before (v1) ${pct(v.champion?.heldOutAccuracy)}, after (v${after}) ${pct(v.challenger.heldOutAccuracy)}, control (v${control.version}, no labels) ${pct(accuracyOn(test, heldOut, controlHeld.predicted))}`,
    );
    // In 'wrong', v1 is right on nearly all the other images by construction: only the
    // retrained model and the control compare there.
    const v1Rest =
      SCENARIO === 'inverted' ? `v1 ${pct(accuracyOn(test, rest, uprightRest))}, ` : '';
    log(
      `  accuracy on the ${rest.length} other test images, upright: ${v1Rest}v${after} ${pct(accuracyOn(test, rest, afterRest.predicted))}, control ${pct(accuracyOn(test, rest, controlRest.predicted))}`,
    );
    log(`  gate: ${v.reason}`);

    // The timing: the default threshold, ten labels at a time.
    if (RUNS === 0) return;
    await serving.setPolicy(MODEL, {
      threshold: 10,
      holdOutEvery: 5,
      metric: 'accuracy',
      margin: 1,
    });
    const spare = rest.filter((index) => !givenSet.has(index));
    const timings = [];
    for (let r = 0; r < RUNS; r++) {
      const items = spare
        .slice(r * 10, r * 10 + 10)
        .map((index) => ({ index, id: before.ids[index] }));
      const cpu0 = treeCpuSeconds();
      const t0 = await giveLabels(serving, test, items);
      const judged = await verdictOf(serving);
      const wall = performance.now() - t0;
      const cpu = treeCpuSeconds() - cpu0;
      const summary = await pipeline.status(judged.run);
      const runMs = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
      timings.push({ wall, cpu, runMs });
      log(
        `timed retraining ${r + 1}: 10th label → verdict ${secs(wall)} (pipeline run ${secs(runMs)}), ${cpu.toFixed(1)} CPU s; ${judged.status}`,
      );
    }
    log('');
    log(
      `median of ${RUNS}: 10th label → gate's verdict ${secs(median(timings.map((t) => t.wall)))}, of which the pipeline run ${secs(median(timings.map((t) => t.runMs)))}; ${median(timings.map((t) => t.cpu)).toFixed(1)} CPU s`,
    );
  } finally {
    await project.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
