// What the core benchmarks share: starting `kiln serve` as its own process, HTTP with one
// keep-alive agent, waiting for artifacts, timing, statistics and process-tree memory.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const CLI = join(here, '..', '..', '..', 'cli', 'dist', 'main.js');
export const FIXTURES = join(here, '..', 'fixtures');
export const NOOP = join(here, '..', '..', 'test', 'fixtures', 'noop-tool.mjs');
export const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export function http(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((done, fail) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

export const createJson = (base, body) =>
  http(`${base}/artifacts`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

export async function waitFinal(base, name) {
  for (;;) {
    const { body } = await http(`${base}/artifacts/${name}/status?wait=60`);
    const summary = JSON.parse(body);
    if (['completed', 'failed', 'cancelled'].includes(summary.status)) return summary;
  }
}

/** Creates an artifact and waits until it is final; throws unless it completed. */
export async function build(base, body) {
  const created = await createJson(base, body);
  if (created.status !== 202) throw new Error(`create answered ${created.status}: ${created.body}`);
  const summary = await waitFinal(base, JSON.parse(created.body).name);
  if (summary.status !== 'completed') throw new Error(`build ${summary.status}: ${summary.error}`);
  return summary;
}

/** `kiln serve` in its own process; resolves once it listens. */
export async function startServer(module, dataDir, extra = [], env = process.env) {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', module, '--port', '0', '--data', dataDir, ...extra],
    { stdio: ['ignore', 'pipe', 'ignore'], env },
  );
  const url = await new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) done(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`server exited ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

function childrenOf(pid) {
  const found = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) found.push(...text.split(' ').map(Number));
    }
  } catch {
    // the process is gone
  }
  return found;
}

/** A process and all its descendants. */
export function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) all.push(...childrenOf(all[i]));
  return all;
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}

/** Each process of a tree with its RSS and anonymous RSS in MiB, the root first. */
export function treeDetail(pid) {
  return processTree(pid).map((p) => {
    try {
      const text = readFileSync(`/proc/${p}/status`, 'utf8');
      const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)[1]) / 1024;
      return { pid: p, rss: field('VmRSS'), anon: field('RssAnon') };
    } catch {
      return { pid: p, rss: 0, anon: 0 };
    }
  });
}

/** RSS of a process tree in MiB, now. */
export function treeMiB(pid) {
  return processTree(pid).reduce((sum, p) => sum + rssKb(p), 0) / 1024;
}

/** Samples a tree's RSS every `everyMs` until `stop()`; `stop()` gives the peak in MiB. */
export function sampleTree(pid, everyMs = 50) {
  let peak = treeMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, treeMiB(pid))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeMiB(pid));
    },
  };
}

/** `curl` as a client that does not share this process's CPU time with the server. */
export function curl(args) {
  return new Promise((done, fail) => {
    const child = spawn('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{time_total} %{http_code}',
      ...args,
    ]);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('error', fail);
    child.once('exit', () => {
      const [seconds, code] = out.trim().split(' ');
      if (!['200', '202'].includes(code)) fail(new Error(`curl got HTTP ${code}`));
      else done(Number(seconds));
    });
  });
}

export function hasCurl() {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One line of a benchmark's report. */
export const row = (label, value, target, ok) =>
  console.log(
    `${label.padEnd(52)} ${value.padStart(14)}   target ${target.padEnd(16)} ${ok ? 'ok' : 'MISSED'}`,
  );
