#!/usr/bin/env node
// Worker pools and on-demand mules (issue "Several builds at once"): CPU-bound builds with 1 and
// 2 workers, no-op latency and throughput with 1 and 4 workers, the idle RSS of a container whose
// mules retired, and what the first build after idle pays to start a mule. Not a test: it prints.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIXTURES,
  NOOP,
  agent,
  build,
  createJson,
  median,
  percentile,
  row,
  sleep,
  startServer,
  treeMiB,
  waitFinal,
} from './support/bench-kit.mjs';

const CPU = join(FIXTURES, 'cpu-tool.mjs');
const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 3);
/** Longer than the default mule idle spell (5 s), so the next build starts a mule. */
const SETTLE_MS = 6_000;
/**
 * Idle means idle: V8 hands the pages its idle collection emptied back about 8 to 10 s after
 * it (its memory reducer), so the idle figure is read after 12 quiet seconds.
 */
const IDLE_MS = 12_000;

async function withServer(module, args, work) {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-workers-bench-'));
  const server = await startServer(module, dataDir, args);
  try {
    return await work(server);
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Seconds to build eight CPU-bound artifacts created at once. */
function eightBuilds(workers) {
  return withServer(CPU, ['--workers', String(workers)], async ({ url }) => {
    // One short build per worker first: every mule is started and warm, as in a sweep that
    // keeps them busy, so the timing is of the builds and not of the mules' start.
    await Promise.all(
      Array.from({ length: workers }, () => build(url, { parameters: { epochs: 5 } })),
    );
    const start = performance.now();
    const names = [];
    for (let i = 0; i < 8; i += 1) names.push(JSON.parse((await createJson(url, {})).body).name);
    for (const name of names) {
      const summary = await waitFinal(url, name);
      if (summary.status !== 'completed') throw new Error(`build ${summary.status}`);
    }
    return (performance.now() - start) / 1000;
  });
}

/** No-op create→completed, one at a time after a warm-up, then 1,000 at concurrency 16. */
function noop(workers) {
  return withServer(NOOP, ['--workers', String(workers)], async ({ url }) => {
    for (let i = 0; i < 100; i += 1) await build(url, {});
    const times = [];
    for (let i = 0; i < 200; i += 1) {
      const start = performance.now();
      await build(url, {});
      times.push(performance.now() - start);
    }
    const names = [];
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 1000) {
          next += 1;
          names.push(JSON.parse((await createJson(url, {})).body).name);
        }
      }),
    );
    for (const name of names) await waitFinal(url, name);
    const seconds = (performance.now() - start) / 1000;
    return { p50: percentile(times, 50), p99: percentile(times, 99), perSecond: 1000 / seconds };
  });
}

/** The tree's RSS once the mules retired, and create→completed with and without a mule. */
function idleAndFirstBuild() {
  return withServer(NOOP, [], async ({ url, child }) => {
    for (let i = 0; i < 50; i += 1) await build(url, {});
    await sleep(IDLE_MS);
    const idleMiB = treeMiB(child.pid);
    const cold = [];
    const warm = [];
    for (let i = 0; i < 5; i += 1) {
      await sleep(SETTLE_MS);
      let start = performance.now();
      await build(url, {});
      cold.push(performance.now() - start);
      start = performance.now();
      await build(url, {});
      warm.push(performance.now() - start);
    }
    return { idleMiB, cold: median(cold), warm: median(warm) };
  });
}

console.log(`Kiln worker pools (median of ${RUNS} runs where repeated; the machine may be shared)`);
const one = [];
const two = [];
for (let i = 0; i < RUNS; i += 1) {
  one.push(await eightBuilds(1));
  two.push(await eightBuilds(2));
}
const speedUp = median(one) / median(two);
row('8 CPU-bound builds, 1 worker', `${median(one).toFixed(2)} s`, '', true);
row('8 CPU-bound builds, 2 workers', `${median(two).toFixed(2)} s`, '', true);
row('  speed-up', `${speedUp.toFixed(2)}x`, '>= 1.8x', speedUp >= 1.8);
for (const workers of [1, 4]) {
  const n = await noop(workers);
  row(
    `no-op create-to-completed p50, ${workers} worker(s)`,
    `${n.p50.toFixed(2)} ms`,
    '<= 3 ms',
    n.p50 <= 3,
  );
  row(`  p99`, `${n.p99.toFixed(2)} ms`, '', true);
  row(
    `  1,000 at concurrency 16, all built`,
    `${n.perSecond.toFixed(0)} /s`,
    '>= 500 /s',
    n.perSecond >= 500,
  );
}
const idle = await idleAndFirstBuild();
row(
  'idle RSS once its mules retired (server alone)',
  `${(idle.idleMiB * 1.048576).toFixed(1)} MB`,
  '<= 80 MB',
  idle.idleMiB * 1.048576 <= 80,
);
row('no-op build with a warm mule', `${idle.warm.toFixed(1)} ms`, '', true);
row('first build after idle (starts a mule)', `${idle.cold.toFixed(1)} ms`, '', true);
row('  its extra start-up latency', `${(idle.cold - idle.warm).toFixed(1)} ms`, '(reported)', true);
agent.destroy();
