#!/usr/bin/env node
// Orchestration overhead of the pipeline container (issue targets: a six-step pipeline of
// no-op tools end to end <= 300 ms; a fully cached re-run <= 100 ms), and of a sweep (no
// target): four variants of two echo steps each after a shared one (test/fixtures/fan-pipeline.mjs),
// the variants' steps queued at once on the s5 and s6 containers.
//
// Six echo tool containers (test/fixtures/echo-tool.mjs: each step reads its input's one small
// JSON file and writes one back, so the references really chain) and the chain pipeline
// (test/fixtures/chain-pipeline.mjs), all served in this process with their own mules. Each
// figure is the median over several runs, from `POST /runs` to the status long-poll answering
// `completed`. Run after `npm run build`:
//
//   node base/pipeline/bench/orchestration.js [--runs N] [--json]
import { startToolServer } from '@kiln/core';
import got from 'got';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET_FRESH_MS = 300;
const TARGET_CACHED_MS = 100;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 0) || 7;
const asJson = args.includes('--json');
const fixture = (name) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const http = got.extend({ retry: { limit: 0 }, timeout: { request: 60_000 } });

const root = await mkdtemp(join(tmpdir(), 'kiln-bench-pipeline-'));
const servers = [];
try {
  const steps = ['s1', 's2', 's3', 's4', 's5', 's6'];
  // The project's topology: six services on loopback ports, as `kiln up` would place them.
  const ports = await Promise.all(steps.map(() => freePort()));
  const topology = {
    services: steps.map((name, i) => ({ name, address: `http://127.0.0.1:${ports[i]}` })),
  };
  const tools = await Promise.all(
    steps.map((step, i) =>
      startToolServer({
        modulePath: fixture('echo-tool.mjs'),
        dataDir: join(root, step),
        port: ports[i],
        topology,
      }),
    ),
  );
  servers.push(...tools);
  const pipeline = await startToolServer({
    modulePath: fixture('chain-pipeline.mjs'),
    dataDir: join(root, 'pipeline'),
    port: 0,
    topology,
  });
  servers.push(pipeline);
  const fan = await startToolServer({
    modulePath: fixture('fan-pipeline.mjs'),
    dataDir: join(root, 'fan'),
    port: 0,
    topology,
  });
  servers.push(fan);

  const timeRun = async (name, parameters, on = pipeline) => {
    const started = performance.now();
    await http.post(`${on.url}/runs`, { json: { name, parameters } });
    for (;;) {
      const summary = await http(`${on.url}/runs/${name}/status`, {
        searchParams: { wait: 30 },
      }).json();
      if (summary.status === 'completed') return performance.now() - started;
      if (summary.status !== 'queued' && summary.status !== 'in-progress') {
        throw new Error(`run ${name} ended ${summary.status}: ${summary.error}`);
      }
    }
  };

  // One warm-up of each kind: the first build loads modules in every mule.
  await timeRun('warm-fresh', { cache: false, salt: 'warm' });
  await timeRun('warm-cached', { salt: 'warm' });
  // Every fan run's steps carry its name, so each sweep builds all nine steps.
  const sweep = {
    mode: 'sweep',
    variants: ['a', 'b', 'c', 'd'].map((name, i) => ({ name, score: i })),
  };
  await timeRun('warm-sweep', sweep, fan);
  const fresh = [];
  const cached = [];
  const swept = [];
  for (let i = 0; i < runs; i += 1) {
    // A new salt makes every step's parameters new, so all six build.
    fresh.push(await timeRun(`fresh-${i}`, { salt: `s${i}` }));
    // The same parameters again: all six come from the cache.
    cached.push(await timeRun(`cached-${i}`, { salt: `s${i}` }));
    swept.push(await timeRun(`sweep-${i}`, sweep, fan));
  }
  const result = {
    steps: steps.length,
    runs,
    freshMedianMs: round(median(fresh)),
    cachedMedianMs: round(median(cached)),
    // On a shared machine the minimum says what the code costs, the median what it costs there.
    freshMinMs: round(Math.min(...fresh)),
    cachedMinMs: round(Math.min(...cached)),
    freshMs: fresh.map(round),
    cachedMs: cached.map(round),
    sweepMedianMs: round(median(swept)),
    sweepMs: swept.map(round),
    targets: { freshMs: TARGET_FRESH_MS, cachedMs: TARGET_CACHED_MS },
  };
  result.pass =
    result.freshMedianMs <= TARGET_FRESH_MS && result.cachedMedianMs <= TARGET_CACHED_MS;
  if (asJson) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(
      [
        `pipeline orchestration, ${steps.length} echo steps, median of ${runs}:`,
        `  fresh run (every step builds): ${result.freshMedianMs} ms (target <= ${TARGET_FRESH_MS} ms)`,
        `  fully cached re-run:           ${result.cachedMedianMs} ms (target <= ${TARGET_CACHED_MS} ms)`,
        `  minimum: fresh ${result.freshMinMs} ms, cached ${result.cachedMinMs} ms`,
        `  sweep of 4 variants (1 + 4 × 2 echo steps): ${result.sweepMedianMs} ms (no target)`,
        `  ${result.pass ? 'PASS' : 'FAIL'}`,
        '',
      ].join('\n'),
    );
  }
  process.exitCode = result.pass ? 0 : 1;
} finally {
  await Promise.all(servers.map((server) => server.close()));
  await rm(root, { recursive: true, force: true });
}

/** A loopback port nothing listens on (closed again before it is returned). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}
