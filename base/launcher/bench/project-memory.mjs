#!/usr/bin/env node
// Memory of the whole example project under `kiln up` (what `npm start` runs), issue "A
// laptop-sized Kiln": the RSS of the launcher's whole process tree (launcher, any service run as
// a process of its own, mules, model children), sampled once a second for 10 s after it has sat
// idle 30 s with every service healthy; optionally (`--run`) again after a run of the example
// pipeline has completed and the serving container has loaded the model it made.
// Not a test: it prints. `node base/launcher/bench/project-memory.mjs [--isolate] [--run] [--idle-s N]`
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'base/cli/dist/main.js');
const TOKEN = 'bench-token';
const TARGET_MIB = 250;
const args = process.argv.slice(2);
const isolate = args.includes('--isolate');
const withRun = args.includes('--run');
const idleIndex = args.indexOf('--idle-s');
const idleSeconds = idleIndex >= 0 ? Number(args[idleIndex + 1]) : 30;

/** `pid` and every process below it. */
function processTree(pid) {
  const children = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      children.push(
        ...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
          .trim()
          .split(' ')
          .filter(Boolean)
          .map(Number),
      );
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(processTree)];
}

/** RSS in MiB of one process, with its command line. */
function processRss(pid) {
  try {
    const rss =
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return {
      pid,
      rss,
      command: command
        .slice(1, 4)
        .map((part) => part.replace(ROOT, ''))
        .join(' '),
    };
  } catch {
    return { pid, rss: 0, command: '(gone)' };
  }
}

/** Samples the tree once a second for `seconds`; the median sample and the processes of the last. */
async function sample(pid, seconds) {
  const totals = [];
  let last = [];
  for (let i = 0; i < seconds; i++) {
    last = processTree(pid).map(processRss);
    totals.push(last.reduce((sum, p) => sum + p.rss, 0));
    await sleep(1000);
  }
  return { median: median(totals), max: Math.max(...totals), processes: last };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function startUp(dataDir) {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'up',
      '--port',
      '0',
      '--base-port',
      '0',
      '-d',
      dataDir,
      ...(isolate ? ['--isolate'] : []),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KILN_TOKEN: TOKEN, KILN_ISOLATE: '' },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const url = new Promise((resolve, reject) => {
    const check = () => {
      const match = /Kiln is up: (http:\/\/\S+\/)/.exec(out);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) =>
      reject(new Error(`kiln up exited with ${code}:\n${out.slice(-3000)}`)),
    );
  });
  return { child, url, output: () => out };
}

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function api(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { ...auth, ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Prints a sample; `target` (MiB) only where one applies: the idle project. */
function report(label, result, target) {
  const verdict =
    target === undefined
      ? 'no target'
      : `${result.median <= target ? 'within' : 'OVER'} the ${target} MiB target`;
  process.stdout.write(
    `${label}: median ${result.median.toFixed(1)} MiB, max ${result.max.toFixed(1)} MiB ` +
      `(${verdict}), ${result.processes.length} processes\n`,
  );
  for (const p of result.processes)
    process.stdout.write(
      `    ${String(p.pid).padStart(7)} ${p.rss.toFixed(1).padStart(7)} MiB  ${p.command}\n`,
    );
}

const dataDir = await mkdtemp(join(tmpdir(), 'kiln-project-memory-'));
const up = startUp(dataDir);
try {
  const url = await up.url;
  process.stdout.write(
    `project under kiln up (${isolate ? 'every service a process of its own' : 'services hosted in the launcher'}); ` +
      `idle ${idleSeconds} s, then sampled 10 s\n`,
  );
  await sleep(idleSeconds * 1000);
  report('idle', await sample(up.child.pid, 10), TARGET_MIB);
  if (withRun) await afterRun(url);
} finally {
  up.child.kill('SIGINT');
  await new Promise((resolve) => up.child.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}

/** Runs the example pipeline (a quick run), waits for serving to load its model, samples again. */
async function afterRun(url) {
  const pipeline = `${url}containers/fashion-mnist/runs`;
  await api(pipeline, {
    method: 'POST',
    body: JSON.stringify({ name: 'bench', parameters: { trainLimit: 1000, epochs: 2 } }),
  });
  const started = Date.now();
  let status;
  do status = await api(`${pipeline}/bench/status?wait=60`);
  while (!['completed', 'failed', 'cancelled'].includes(status.status));
  if (status.status !== 'completed')
    throw new Error(`the run ended ${status.status}: ${status.error}`);
  const ran = (Date.now() - started) / 1000;
  // Serving watches the pipeline (KILN_SERVING_WATCH) and loads the run's model by itself.
  const model = `${url}containers/serving/v2/models/fashion-mnist`;
  for (let tries = 0; ; tries++) {
    const response = await fetch(model, { headers: auth });
    const body = response.ok ? await response.json() : (await response.arrayBuffer(), null);
    if (body?.versions?.length > 0) break;
    if (tries > 240) throw new Error('serving did not load the model within 2 minutes');
    await sleep(500);
  }
  process.stdout.write(
    `a run of fashion-mnist completed in ${ran.toFixed(1)} s; serving loaded its model\n`,
  );
  // Builds' mules retire 5 s after their last build; let the tree settle as it would idle.
  await sleep(idleSeconds * 1000);
  report('after a run, its model served', await sample(up.child.pid, 10));
}
