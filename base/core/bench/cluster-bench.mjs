#!/usr/bin/env node
// Cluster mode against the embedded default: no-op create-to-completed latency and throughput of
// two replicas on one PostgreSQL (started here, fsync on, as a real one runs) and one folder,
// beside one embedded container (SQLite); and how long a build takes to be taken over after
// `kill -9` of the replica holding it. Not a test: it prints numbers.
// `node cluster-bench.mjs [latency|throughput|takeover]...` runs only those parts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../test/support/postgres-server.mjs';
import {
  FIXTURES,
  NOOP,
  createJson,
  http,
  median,
  percentile,
  row,
  startServer,
  waitFinal,
} from './support/bench-kit.mjs';

const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 3);
const TAKEOVER_LEASE_MS = Number(process.env.KILN_BENCH_LEASE_MS ?? 5_000);
const PARTS = ['latency', 'throughput', 'takeover'];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : PARTS;
const unknownPart = wanted.find((part) => !PARTS.includes(part));
if (unknownPart) {
  process.stderr.write(
    `cluster-bench: no part '${unknownPart}'; choose from ${PARTS.join(', ')}\n`,
  );
  process.exit(2);
}
const HOLD = join(FIXTURES, 'hold-tool.mjs');

let schemas = 0;

/** One embedded container, or `replicas` replicas on the database; `stop()` ends them all. */
async function startContainers(database, replicas, module = NOOP, extra = []) {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-cluster-bench-'));
  const cluster = database
    ? ['--database-url', database.url, '--database-schema', `bench_${(schemas += 1)}`]
    : [];
  const servers = [];
  const add = async (more = extra) => {
    const server = await startServer(module, dataDir, [...cluster, ...more]);
    servers.push(server);
    return server;
  };
  for (let i = 0; i < replicas; i += 1) await add();
  return {
    servers,
    add,
    urls: servers.map((server) => server.url),
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const build = async (create, wait) =>
  waitFinal(wait, JSON.parse((await createJson(create, {})).body).name);

/** Sequential no-op builds: p50 and p99 of create-to-completed, after 100 to warm up. */
async function latency(database, replicas) {
  const containers = await startContainers(database, replicas);
  const { urls } = containers;
  try {
    for (let i = 0; i < 100; i += 1) await build(urls[i % urls.length], urls[i % urls.length]);
    const times = [];
    for (let i = 0; i < 200; i += 1) {
      const url = urls[i % urls.length];
      const start = process.hrtime.bigint();
      await build(url, url);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    await containers.stop();
  }
}

/** 1,000 no-op creates from 16 clients spread over the replicas, until all are completed. */
async function throughput(database, replicas) {
  const containers = await startContainers(database, replicas);
  const { urls } = containers;
  try {
    for (let i = 0; i < 50; i += 1) await build(urls[i % urls.length], urls[i % urls.length]);
    const start = performance.now();
    let next = 0;
    const names = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        while (next < 1000) {
          next += 1;
          const url = urls[client % urls.length];
          names.push([url, JSON.parse((await createJson(url, {})).body).name]);
        }
      }),
    );
    for (const [url, name] of names) await waitFinal(url, name);
    return 1000 / ((performance.now() - start) / 1000);
  } finally {
    await containers.stop();
  }
}

/**
 * A replica holds a build (it is alone when the build is queued); a second one starts beside it;
 * the first is killed with SIGKILL. The time from the kill until the second has completed the
 * build (attempt 2): the lease running out, the next look for abandoned builds, a mule's start.
 */
async function takeover(database) {
  const args = ['--lease-ms', String(TAKEOVER_LEASE_MS)];
  const containers = await startContainers(database, 1, HOLD, args);
  try {
    const [victim] = containers.servers;
    const { name } = JSON.parse((await createJson(victim.url, {})).body);
    await waitInProgress(victim.url, name);
    const survivor = await containers.add(args);
    const start = performance.now();
    victim.child.kill('SIGKILL');
    // Gone: nothing to stop at the end.
    containers.servers.splice(containers.servers.indexOf(victim), 1);
    const summary = await waitFinal(survivor.url, name);
    if (summary.status !== 'completed' || summary.attempt !== 2)
      throw new Error(`take-over ended ${summary.status} at attempt ${summary.attempt}`);
    return performance.now() - start;
  } finally {
    await containers.stop();
  }
}

/** Until the build is in progress; a benchmark may poll (a test may not). */
async function waitInProgress(url, name) {
  for (;;) {
    const summary = JSON.parse((await http(`${url}/artifacts/${name}/status`)).body);
    if (summary.status === 'in-progress') return;
    await new Promise((done) => setTimeout(done, 10));
  }
}

console.log(
  `Kiln cluster benchmark (median of ${RUNS} runs; two replicas on PostgreSQL, fsync on): ${wanted.join(', ')}`,
);
const database = await startPostgres({ fsync: true });
try {
  if (wanted.includes('latency')) {
    const embedded = [];
    const cluster = [];
    for (let i = 0; i < RUNS; i += 1) {
      embedded.push(await latency(null, 1));
      cluster.push(await latency(database, 2));
    }
    const p50e = median(embedded.map((r) => r.p50));
    const p50c = median(cluster.map((r) => r.p50));
    row('embedded: no-op create-to-completed p50', `${p50e.toFixed(2)} ms`, '<= 3 ms', p50e <= 3);
    row('cluster: no-op create-to-completed p50', `${p50c.toFixed(2)} ms`, '<= 10 ms', p50c <= 10);
    row('cluster: p99', `${median(cluster.map((r) => r.p99)).toFixed(2)} ms`, '(reported)', true);
  }
  if (wanted.includes('throughput')) {
    const embedded = [];
    const cluster = [];
    for (let i = 0; i < RUNS; i += 1) {
      embedded.push(await throughput(null, 1));
      cluster.push(await throughput(database, 2));
    }
    const e = median(embedded);
    const c = median(cluster);
    row('embedded: no-op builds completed', `${e.toFixed(0)} /s`, '>= 500 /s', e >= 500);
    row(
      'cluster: no-op builds completed (2 replicas)',
      `${c.toFixed(0)} /s`,
      '>= 300 /s',
      c >= 300,
    );
  }
  if (wanted.includes('takeover')) {
    const times = [];
    for (let i = 0; i < RUNS; i += 1) times.push(await takeover(database));
    const t = median(times);
    const limit = TAKEOVER_LEASE_MS + 5_000;
    row(
      `take-over after kill -9 (lease ${TAKEOVER_LEASE_MS / 1000} s)`,
      `${(t / 1000).toFixed(2)} s`,
      `<= ${limit / 1000} s`,
      t <= limit,
    );
  }
} finally {
  await database.stop();
}
