#!/usr/bin/env node
// The core benchmark of the issue "Kiln core": latency, throughput, listing, transfers and
// memory of a tool container, each against the anchor figures. Not a test: it prints numbers.
// `node core-bench.mjs [latency|throughput|transfers]...` runs only those parts.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  FIXTURES,
  NOOP,
  agent,
  createJson,
  http,
  median,
  percentile,
  processTree,
  sleep,
  startServer,
  waitFinal,
} from './support/bench-kit.mjs';

const BLOB = join(FIXTURES, 'blob-tool.mjs');
const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 3);
const PARTS = ['latency', 'throughput', 'transfers'];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : PARTS;
const unknownPart = wanted.find((part) => !PARTS.includes(part));
if (unknownPart) {
  process.stderr.write(`core-bench: no part '${unknownPart}'; choose from ${PARTS.join(', ')}\n`);
  process.exit(2);
}
const mib = (kb) => kb / 1024;

async function statusKb(pid, field) {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)[1]);
}
/** Proportional set size: pages shared with other processes (Node's own code) counted in part. */
async function pssKb(pid) {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/Pss:\s+(\d+)/.exec(text)[1]);
}
async function latency() {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-bench-'));
  const server = await startServer(NOOP, dataDir);
  try {
    // Steady state: 100 artifacts first, so the JIT has compiled the hot paths of both processes.
    for (let i = 0; i < 100; i += 1)
      await waitFinal(server.url, JSON.parse((await createJson(server.url, {})).body).name);
    const times = [];
    for (let i = 0; i < 200; i += 1) {
      const start = process.hrtime.bigint();
      const { body } = await createJson(server.url, {});
      await waitFinal(server.url, JSON.parse(body).name);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const rssKb = async (pids) =>
      (await Promise.all(pids.map((p) => statusKb(p, 'VmRSS')))).reduce((a, b) => a + b, 0);
    const busy = await rssKb(processTree(server.child.pid));
    // Idle means idle: no request for a few seconds, past the mule's retirement (5 s) and the
    // server's idle collection (2 s).
    await sleep(6000);
    const pids = processTree(server.child.pid);
    const idle = await rssKb(pids);
    const idlePss = (await Promise.all(pids.map(pssKb))).reduce((a, b) => a + b, 0);
    return {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      busyMiB: mib(busy),
      idleMiB: mib(idle),
      idlePssMiB: mib(idlePss),
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function throughputAndList() {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-bench-'));
  const server = await startServer(NOOP, dataDir);
  try {
    const names = [];
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 1000) {
          next += 1;
          names.push(JSON.parse((await createJson(server.url, {})).body).name);
        }
      }),
    );
    const accepted = performance.now() - start;
    for (const name of names) await waitFinal(server.url, name);
    const built = performance.now() - start;
    // Fill up to 10,000 artifacts for the listing.
    next = names.length;
    let last = null;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 10_000) {
          next += 1;
          last = JSON.parse((await createJson(server.url, {})).body).name;
        }
      }),
    );
    // "Present" means built: time the listing once the queue is idle, not while builds change it.
    for (const name of (await http(`${server.url}/artifacts?status=queued`)).body.match(
      /"name":"[^"]+"/g,
    ) ?? []) {
      await waitFinal(server.url, name.slice(8, -1));
    }
    await waitFinal(server.url, last);
    const listTimes = [];
    for (let i = 0; i < 11; i += 1) {
      const t = performance.now();
      const { body } = await http(`${server.url}/artifacts`);
      listTimes.push(performance.now() - t);
      if (JSON.parse(body).length !== 10_000) throw new Error('expected 10,000 artifacts');
    }
    return {
      createsPerSecond: 1000 / (accepted / 1000),
      completedPerSecond: 1000 / (built / 1000),
      listMs: median(listTimes),
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function curlSeconds(args) {
  const out = execFileSync('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{time_total} %{http_code}',
    ...args,
  ])
    .toString()
    .trim()
    .split(' ');
  if (!['200', '202'].includes(out[1])) throw new Error(`curl got HTTP ${out[1]}`);
  return Number(out[0]);
}

async function nginxDownload(file, bytes) {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);
  if (!nginx) return null;
  const prefix = await mkdtemp(join(tmpdir(), 'kiln-nginx-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  await writeFile(
    join(prefix, 'nginx.conf'),
    `daemon off; worker_processes 1; error_log ${prefix}/error.log; pid ${prefix}/nginx.pid;
events { worker_connections 64; }
user root; http { access_log off; sendfile on; tcp_nopush on; client_body_temp_path ${prefix}; proxy_temp_path ${prefix}; fastcgi_temp_path ${prefix}; uwsgi_temp_path ${prefix}; scgi_temp_path ${prefix};
  server { listen 127.0.0.1:${port}; root ${dirname(file)}; } }`,
  );
  const child = spawn(nginx, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i += 1) {
      try {
        curlSeconds([`http://127.0.0.1:${port}/files.json`]);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const times = [];
    for (let i = 0; i < RUNS; i += 1)
      times.push(curlSeconds([`http://127.0.0.1:${port}/${file.split('/').pop()}`]));
    return bytes / 1e6 / median(times);
  } finally {
    child.kill('SIGTERM');
    await rm(prefix, { recursive: true, force: true });
  }
}

async function transfers() {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-bench-'));
  let server = await startServer(BLOB, dataDir);
  try {
    await createJson(server.url, { name: 'gib', parameters: { megabytes: 1024 } });
    await waitFinal(server.url, 'gib');
    // A fresh server process, so its peak RSS covers only start-up and the downloads.
    await server.stop();
    server = await startServer(BLOB, dataDir);
    const bytes = 1024 ** 3;
    const times = [];
    for (let i = 0; i < RUNS; i += 1) times.push(curlSeconds([`${server.url}/artifacts/gib/data`]));
    const downloadMBs = bytes / 1e6 / median(times);
    const downloadPeakMiB = mib(await statusKb(server.child.pid, 'VmHWM'));
    const file = join(dataDir, 'artifacts', 'gib', 'data', 'blob.bin');
    const nginxMBs = await nginxDownload(file, bytes);
    await server.stop();

    server = await startServer(BLOB, dataDir);
    const upload = join(dataDir, 'upload.bin');
    await new Promise((done, fail) => {
      const out = createWriteStream(upload);
      // Random bytes, like the weights or images people upload. A file of one repeated byte is
      // a worst case for the multipart boundary search when that byte occurs in the boundary.
      let written = 0;
      const write = () => {
        while (written < 512) {
          written += 1;
          if (!out.write(randomBytes(1 << 20))) return out.once('drain', write);
        }
        out.end(done);
      };
      out.on('error', fail);
      write();
    });
    const uploadTimes = [];
    for (let i = 0; i < RUNS; i += 1) {
      // Each upload's artifact builds a 1 MiB blob: the mule must not write a GiB meanwhile.
      uploadTimes.push(
        curlSeconds([
          '-F',
          `name=up-${i}`,
          '-F',
          'parameters={"megabytes":1}',
          '-F',
          `upload=@${upload}`,
          `${server.url}/artifacts`,
        ]),
      );
    }
    const uploadMBs = (512 * 1024 ** 2) / 1e6 / median(uploadTimes);
    const uploadPeakMiB = mib(await statusKb(server.child.pid, 'VmHWM'));
    return { downloadMBs, downloadPeakMiB, nginxMBs, uploadMBs, uploadPeakMiB };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const row = (label, value, target, ok) =>
  console.log(
    `${label.padEnd(44)} ${value.padStart(14)}   target ${target.padEnd(14)} ${ok ? 'ok' : 'MISSED'}`,
  );

function reportLatency(l) {
  row(
    'create-to-completed p50 (after 100 warm-up)',
    `${l.p50.toFixed(2)} ms`,
    '<= 3 ms',
    l.p50 <= 3,
  );
  row('create-to-completed p99', `${l.p99.toFixed(2)} ms`, '(anchor p50 9.5)', true);
  row(
    'RSS, server + mule, right after 300 builds',
    `${l.busyMiB.toFixed(1)} MiB`,
    '(not idle yet)',
    true,
  );
  row(
    'idle RSS, server (mule retired) 6 s later',
    `${l.idleMiB.toFixed(1)} MiB`,
    '<= 100 MB',
    l.idleMiB * 1.048576 <= 100,
  );
  row(
    '  same, PSS (shared code counted once)',
    `${l.idlePssMiB.toFixed(1)} MiB`,
    '(not the target)',
    true,
  );
}

function reportThroughput(t) {
  row(
    '1,000 creates at concurrency 16',
    `${t.createsPerSecond.toFixed(0)} /s`,
    '>= 500 /s',
    t.createsPerSecond >= 500,
  );
  row(
    '  ...all 1,000 built',
    `${t.completedPerSecond.toFixed(0)} /s`,
    '(anchor 171)',
    t.completedPerSecond >= 171,
  );
  row('GET /artifacts with 10,000', `${t.listMs.toFixed(1)} ms`, '<= 30 ms', t.listMs <= 30);
}

function reportTransfers(x) {
  const ratio = x.nginxMBs ? x.downloadMBs / x.nginxMBs : null;
  row(
    'download 1 GiB',
    `${x.downloadMBs.toFixed(0)} MB/s`,
    ratio === null ? '(no nginx)' : '>= 0.9x nginx',
    ratio === null || ratio >= 0.9,
  );
  if (x.nginxMBs)
    row(
      '  nginx, same file, same run',
      `${x.nginxMBs.toFixed(0)} MB/s`,
      `ratio ${ratio.toFixed(2)}x`,
      true,
    );
  row(
    '  server peak RSS',
    `${x.downloadPeakMiB.toFixed(1)} MiB`,
    '<= 120 MB',
    x.downloadPeakMiB * 1.048576 <= 120,
  );
  row('upload 512 MiB', `${x.uploadMBs.toFixed(0)} MB/s`, '>= 400 MB/s', x.uploadMBs >= 400);
  row(
    '  server peak RSS',
    `${x.uploadPeakMiB.toFixed(1)} MiB`,
    '<= 120 MB',
    x.uploadPeakMiB * 1.048576 <= 120,
  );
}

console.log(`Kiln core benchmark (median of ${RUNS} runs for transfers): ${wanted.join(', ')}`);
if (wanted.includes('latency')) reportLatency(await latency());
if (wanted.includes('throughput')) reportThroughput(await throughputAndList());
if (wanted.includes('transfers')) reportTransfers(await transfers());
agent.destroy();
