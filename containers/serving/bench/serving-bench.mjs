#!/usr/bin/env node
// The serving container's benchmark (`npm run bench serving`): single-image Open Inference
// Protocol latency at concurrency 1, throughput at concurrency 16 with and without batching,
// memory, and 10 version switches under constant load. The anchor, measured side by side in the
// same run: the same network (the same weights) in PyTorch behind Flask under gunicorn, asked the
// same requests; skipped with a note when python3-torch, python3-flask or gunicorn is missing.
// Everything runs on loopback; the load generator is Node's http module (load-generator.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  artifactUrl,
  buildArtifact,
  startTool,
  tinyImages,
  writeTinyFashionMnist,
} from '@kiln/fashion-mnist/testing';
import { median, quantile, runLoad } from './load-generator.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SERVING_MAIN = join(REPO, 'containers/serving/dist/main.js');
const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 3);
const LATENCY_REQUESTS = 3000;
const THROUGHPUT_REQUESTS = 4000;
const SWITCHES = 10;

const log = (line) => process.stdout.write(`${line}\n`);
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Real models: the default dense network (784-256-128-10), trained briefly by the real containers. */
async function trainModels(root) {
  const idx = join(root, 'idx');
  await writeTinyFashionMnist(idx, { train: 600, test: 100 });
  const tools = {};
  for (const name of ['import', 'process', 'export', 'split', 'train']) {
    tools[name] = await startTool(join(REPO, `containers/${name}/dist/tool.js`));
  }
  const url = (tool, name) => artifactUrl(tools[tool].url, name);
  await buildArtifact(tools.import.url, 'raw', { source: 'path', path: idx });
  await buildArtifact(tools.process.url, 'unit', { dataset: url('import', 'raw') });
  await buildArtifact(tools.export.url, 'tensors', { dataset: url('process', 'unit') });
  await buildArtifact(tools.split.url, 'split', { dataset: url('export', 'tensors') });
  const models = [];
  for (const seed of [1, 2]) {
    await buildArtifact(tools.train.url, `dense-${seed}`, {
      dataset: url('split', 'split'),
      epochs: 1,
      seed,
      backend: 'wasm',
    });
    models.push(url('train', `dense-${seed}`));
  }
  return {
    models,
    evaluation: url('export', 'tensors'),
    close: () => Promise.all(Object.values(tools).map((t) => t.close())),
  };
}

/** Starts dist/main.js with `env` and waits for its URL. */
async function spawnServing(dataDir, env) {
  const child = spawn(process.execPath, [SERVING_MAIN], {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /serving listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serving exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function json(url, init) {
  const response = await fetch(url, init);
  return response.json();
}

async function register(base, model, artifact, evaluation) {
  const created = await json(`${base}/models/${model}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ artifact, ...(evaluation ? { evaluation } : {}) }),
  });
  for (;;) {
    const version = await json(`${base}/models/${model}/versions/${created.version}?wait=30`);
    if (version.status !== 'loading') {
      if (version.status === 'failed') throw new Error(`version failed: ${version.reason}`);
      return version;
    }
  }
}

/** Resident memory of processes, in MiB (from /proc). */
async function rssMiB(pids) {
  let kib = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}

/** CPU time (user + system) a process has used, in ms (from /proc). */
async function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * 10;
}

/** One request body: a real (synthetic) image as raw pixels, FP32 [1, 784]. */
function requestBody() {
  const { images } = tinyImages(1, 28, 7);
  return JSON.stringify({
    inputs: [{ name: 'images', shape: [1, 784], datatype: 'FP32', data: Array.from(images) }],
  });
}

/** Latency of one request at a time: `LATENCY_REQUESTS` after a warm-up. */
async function latencyRun(url, body) {
  const { latencies, statuses } = await runLoad({
    url,
    body,
    concurrency: 1,
    requests: LATENCY_REQUESTS,
  });
  if ([...statuses.keys()].some((status) => status !== 200))
    throw new Error(`failed requests at c=1: ${[...statuses]}`);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/** Requests a second at concurrency 16, and the CPU time the server's processes spent per request. */
async function throughputRun(url, body, pids) {
  const before = await cpuMs(pids());
  const { count, seconds, statuses } = await runLoad({
    url,
    body,
    concurrency: 16,
    requests: THROUGHPUT_REQUESTS,
  });
  if ([...statuses.keys()].some((status) => status !== 200))
    throw new Error(`failed requests at c=16: ${[...statuses]}`);
  return { rate: count / seconds, cpuPerRequest: ((await cpuMs(pids())) - before) / count };
}

/**
 * Measures every server round by round: each round runs each server once, back to back, so a
 * burst of other work on the shared machine falls on all of them alike; medians over the rounds.
 */
async function measure(servers, body) {
  for (const server of servers) {
    await runLoad({ url: server.url, body, concurrency: 1, requests: 300 });
    await runLoad({ url: server.url, body, concurrency: 16, requests: 500 });
  }
  const rounds = [];
  for (let i = 0; i < RUNS; i++) {
    const round = {};
    for (const server of servers) {
      round[server.name] = {
        latency: server.latency ? await latencyRun(server.url, body) : null,
        throughput: await throughputRun(server.url, body, server.pids),
      };
    }
    rounds.push(round);
  }
  const summary = {};
  for (const server of servers) {
    const of = (pick) => rounds.map((round) => pick(round[server.name]));
    summary[server.name] = {
      latency: server.latency
        ? {
            p50: median(of((r) => r.latency.p50)),
            p99: median(of((r) => r.latency.p99)),
            p50s: of((r) => r.latency.p50),
          }
        : null,
      throughput: {
        median: median(of((r) => r.throughput.rate)),
        runs: of((r) => r.throughput.rate),
        cpuPerRequest: median(of((r) => r.throughput.cpuPerRequest)),
      },
    };
  }
  if (summary.anchor)
    summary.ratio = median(
      rounds.map((round) => round.batching.throughput.rate / round.anchor.throughput.rate),
    );
  return summary;
}

/** 10 switches of the champion between two versions while 8 clients send requests. */
async function switchesUnderLoad(base, body) {
  let stop = false;
  const load = runLoad({
    url: `${base}/v2/models/bench/infer`,
    body,
    concurrency: 8,
    requests: 1e9,
    until: () => stop,
  });
  const times = [];
  for (let i = 0; i < SWITCHES; i++) {
    const version = i % 2 === 0 ? 2 : 1;
    const began = performance.now();
    const response = await fetch(`${base}/models/bench/aliases/champion`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version }),
    });
    if (response.status !== 200) throw new Error(`switch ${i + 1} answered ${response.status}`);
    await response.arrayBuffer();
    times.push(performance.now() - began);
  }
  stop = true;
  const { statuses, count } = await load;
  const failed = [...statuses]
    .filter(([status]) => status !== 200)
    .reduce((sum, [, n]) => sum + n, 0);
  return { failed, count, switchMs: median(times), times };
}

/** The first Python with torch, flask and gunicorn (Debian's packages install into /usr/bin/python3's). */
function anchorPython() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const found = spawnSync(python, ['-c', 'import torch, flask, gunicorn'], { encoding: 'utf8' });
    if (found.status === 0) return python;
  }
  return null;
}

async function startAnchor(python, modelDir, port) {
  const workers = Math.max(2, cpus().length);
  const child = spawn(
    python,
    [
      '-m',
      'gunicorn',
      '-w',
      String(workers),
      '-b',
      `127.0.0.1:${port}`,
      '--chdir',
      HERE,
      '--log-level',
      'warning',
      'torch_oip_server:app',
    ],
    {
      env: { ...process.env, KILN_MODEL_DIR: modelDir, OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/v2/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`gunicorn exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    workers,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function processTreePids(pid) {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return [
    pid,
    ...out
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter(Boolean),
  ];
}

async function main() {
  log(
    `serving benchmark: ${cpus().length} cores (shared with whatever else runs: figures are medians of ${RUNS} rounds)`,
  );
  const root = await mkdtemp(join(tmpdir(), 'kiln-serving-bench-'));
  const trained = await trainModels(root);
  const body = requestBody();
  const stops = [];
  try {
    const servers = [];
    for (const [name, batch] of [
      ['batching', '32'],
      ['no batching', '1'],
    ]) {
      const dataDir = join(root, `serving-${batch}`);
      const serving = await spawnServing(dataDir, { KILN_SERVING_MAX_BATCH_SIZE: batch });
      stops.push(serving.stop);
      await register(serving.url, 'bench', trained.models[0], trained.evaluation);
      const health = await json(`${serving.url}/health`);
      const children = health.processes.map((p) => p.pid);
      servers.push({
        name,
        base: serving.url,
        url: `${serving.url}/v2/models/bench/infer`,
        latency: batch === '32',
        pids: () => [serving.child.pid, ...children],
        modelDir: join(dataDir, 'models', 'bench', '1'),
      });
    }
    const [ours] = servers;
    const sample = await json(ours.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const python = anchorPython();
    let anchor = null;
    if (!python) {
      log(
        'anchor: skipped, PyTorch, Flask or gunicorn is missing (apt-get install -y python3-torch python3-flask gunicorn)',
      );
    } else {
      const started = await startAnchor(
        python,
        ours.modelDir,
        18000 + Math.floor(Math.random() * 2000),
      );
      stops.push(started.stop);
      const url = `${started.url}/v2/models/bench/infer`;
      const answer = await json(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const gap = Math.max(
        ...answer.outputs[0].data.map((v, i) => Math.abs(v - sample.outputs[0].data[i])),
      );
      anchor = { workers: started.workers, gap, pid: started.child.pid };
      servers.push({
        name: 'anchor',
        url,
        latency: true,
        pids: () => processTreePids(started.child.pid),
      });
    }
    const results = await measure(servers, body);
    results.rss = {
      server: await rssMiB([ours.pids()[0]]),
      model: await rssMiB(ours.pids().slice(1)),
    };
    if (anchor) {
      results.anchor = {
        ...results.anchor,
        ...anchor,
        rss: await rssMiB(processTreePids(anchor.pid)),
      };
    }
    await register(ours.base, 'bench', trained.models[1]);
    results.switches = await switchesUnderLoad(ours.base, body);
    report(results);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await trained.close();
    await rm(root, { recursive: true, force: true });
  }
}

function report(results) {
  const ours = results.batching;
  const plain = results['no batching'];
  const anchor = results.anchor;
  log('');
  log('| measure | Kiln serving | PyTorch + Flask + gunicorn |');
  log('| --- | --- | --- |');
  log(
    `| OIP infer, 1 image, concurrency 1: p50 / p99 (ms) | ${fmt(ours.latency.p50)} / ${fmt(ours.latency.p99)} | ${anchor ? `${fmt(anchor.latency.p50)} / ${fmt(anchor.latency.p99)}` : '-'} |`,
  );
  log(
    `| throughput, concurrency 16, batching on (requests/s) | ${fmt(ours.throughput.median, 0)} | ${anchor ? fmt(anchor.throughput.median, 0) : '-'} |`,
  );
  log(
    `| throughput, concurrency 16, batching off (requests/s) | ${fmt(plain.throughput.median, 0)} | |`,
  );
  log(
    `| CPU per request at concurrency 16 (ms, all the server's processes) | ${fmt(ours.throughput.cpuPerRequest, 3)} (batching off: ${fmt(plain.throughput.cpuPerRequest, 3)}) | ${anchor ? fmt(anchor.throughput.cpuPerRequest, 3) : '-'} |`,
  );
  log(
    `| RSS after the load (MiB) | server ${fmt(results.rss.server, 0)} + model process ${fmt(results.rss.model, 0)} | ${anchor ? `${fmt(anchor.rss, 0)} (gunicorn, ${anchor.workers} workers)` : '-'} |`,
  );
  log(
    `| ${SWITCHES} version switches under load (8 clients) | ${results.switches.failed} failed of ${results.switches.count}; median switch ${fmt(results.switches.switchMs, 0)} ms | |`,
  );
  if (anchor)
    log(
      `(the anchor runs the same weights: largest probability gap ${anchor.gap.toExponential(1)}; throughput ratio, median of the rounds: ${fmt(results.ratio)}x)`,
    );
  log('');
  log(
    `rounds: c=1 p50 ${ours.latency.p50s.map((v) => fmt(v)).join(', ')} ms; c=16 batching ${ours.throughput.runs.map((r) => fmt(r, 0)).join(', ')}; no batching ${plain.throughput.runs.map((r) => fmt(r, 0)).join(', ')}${anchor ? `; anchor ${anchor.throughput.runs.map((r) => fmt(r, 0)).join(', ')}` : ''}`,
  );
  const checks = [
    ['p50 <= 2 ms at concurrency 1', ours.latency.p50 <= 2],
    ['0 failed requests across the switches', results.switches.failed === 0],
  ];
  if (anchor) checks.push(["throughput at concurrency 16 >= 2x the anchor's", results.ratio >= 2]);
  for (const [what, ok] of checks) log(`target: ${what}: ${ok ? 'met' : 'NOT met'}`);
}

await main();
