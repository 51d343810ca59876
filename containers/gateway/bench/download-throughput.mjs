#!/usr/bin/env node
// Download throughput through the gateway against straight to the container, in the same run,
// with the gateway's peak RSS. Needs a build first (npm run build).
//
//   node containers/gateway/bench/download-throughput.mjs [--size-mib 1024] [--runs 5] [--check]
//
// A `kiln serve` tool container (bench/big-file-tool.mjs) builds one artifact holding a single
// file in a temporary data folder; the gateway (containers/gateway/dist/main.js) runs as its own
// process in front of it. Downloads alternate direct / through the gateway (after one warm-up
// each) with curl when it is installed (else a Node client), reading to nowhere. Prints the
// medians, their ratio, the gateway's peak RSS (VmHWM) and the CPU time the container and the
// gateway spend per GiB moved; --check exits 1 under 80%. Where nginx is installed, the same
// downloads through nginx as a streaming reverse proxy give a reference for the machine, and a
// bare TCP relay in Node (no HTTP) one for what any Node process pays to pass the bytes on.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '5' },
    check: { type: 'boolean', default: false },
  },
});
const bytes = Number(values['size-mib']) * 1024 * 1024;
const runs = Number(values.runs);
const useCurl = spawnSync('curl', ['--version']).status === 0;

/** Starts a Node process and resolves with its URL once it prints `listening on <url>`. */
function startProcess(args, env) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)),
    );
  });
}

async function json(url, init) {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Downloads `url` to nowhere; resolves with MiB/s. */
function download(url) {
  if (useCurl) {
    const result = spawnSync(
      'curl',
      ['-sS', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', url],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`curl ${url}: ${result.stderr}`);
    const [size, seconds] = result.stdout.trim().split(' ').map(Number);
    if (size !== bytes) throw new Error(`short download from ${url}: ${size} of ${bytes} bytes`);
    return Promise.resolve(size / 1048576 / seconds);
  }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http
      .get(url, (res) => {
        let size = 0;
        res.on('data', (chunk) => (size += chunk.length));
        res.on('end', () => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          if (size !== bytes)
            reject(new Error(`short download from ${url}: ${size} of ${bytes} bytes`));
          else resolve(size / 1048576 / seconds);
        });
      })
      .on('error', reject);
  });
}

async function statusKiB(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/**
 * nginx as a streaming reverse proxy in front of the same container (proxy_buffering off, as the
 * gateway streams): the reference for what a proxy in C achieves with the same three processes.
 * Null when nginx is not installed.
 */
async function startNginxProxy(upstream, dir) {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(
    (path) => spawnSync('test', ['-x', path]).status === 0,
  );
  if (!nginx) return null;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const upstreamHost = new URL(upstream).host;
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; error_log ${dir}/error.log; pid ${dir}/nginx.pid;
events { worker_connections 64; }
${process.getuid?.() === 0 ? 'user root;' : ''}
http {
  access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream container { server ${upstreamHost}; keepalive 4; }
  server {
    listen 127.0.0.1:${port};
    location /containers/bench/ { proxy_pass http://container/; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; proxy_buffer_size 64k; proxy_buffers 8 64k; proxy_busy_buffers_size 128k; }
  }
}
`,
  );
  const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(`${url}/containers/bench/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  process.stderr.write(
    `nginx did not start: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}\n`,
  );
  return null;
}

/**
 * A bare TCP relay in Node: bytes piped socket to socket, no HTTP at all. It shows what moving
 * the bytes through a Node process costs on this machine, apart from the gateway's own work.
 */
const RELAY_SOURCE = `
const net = require('node:net');
const [host, port] = process.argv[1].split(':');
const server = net.createServer((client) => {
  const upstream = net.connect(Number(port), host);
  client.pipe(upstream).on('error', () => {});
  upstream.pipe(client).on('error', () => {});
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

/** CPU seconds (user + system) a process has used so far. */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return NaN;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const data = await mkdtemp(join(tmpdir(), 'kiln-gateway-bench-'));
const children = [];
try {
  const tool = await startProcess(
    [
      'base/cli/dist/main.js',
      'serve',
      'containers/gateway/bench/big-file-tool.mjs',
      '--port',
      '0',
      '--data',
      join(data, 'tool'),
    ],
    {},
  );
  children.push(tool.child);
  await json(`${tool.url}/artifacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'big', parameters: { bytes } }),
  });
  for (;;) {
    const status = await json(`${tool.url}/artifacts/big/status?wait=60`);
    if (status.status === 'completed') break;
    if (status.status !== 'queued' && status.status !== 'in-progress')
      throw new Error(`the artifact ended ${status.status}: ${status.error}`);
  }
  const gateway = await startProcess(['containers/gateway/dist/main.js'], {
    PORT: '0',
    HOST: '127.0.0.1',
    // Without a compose file, the topology is the services named here: `bench` alone.
    KILN_SERVICE_ADDRESSES: `bench=${tool.url}`,
    KILN_TOKEN: '',
  });
  children.push(gateway.child);
  const nginx = await startNginxProxy(tool.url, join(data, 'nginx'));
  if (nginx) children.push(nginx.child);
  const relay = await startProcess(['-e', RELAY_SOURCE, new URL(tool.url).host], {});
  children.push(relay.child);
  const rssBefore = await statusKiB(gateway.child.pid, 'VmRSS');
  const direct = `${tool.url}/artifacts/big/data`;
  const through = `${gateway.url}/containers/bench/artifacts/big/data`;
  const viaNginx = nginx ? `${nginx.url}/containers/bench/artifacts/big/data` : undefined;
  const viaRelay = `${relay.url}/artifacts/big/data`;
  await download(direct);
  await download(through);
  await download(viaRelay);
  const results = { direct: [], gateway: [], nginx: [], relay: [] };
  // CPU per GiB moved, per process: the contention-free view of the gateway's cost (on a busy or
  // small machine the three processes share cores, and wall-clock throughput shows that too).
  const cpu = { container: 0, gateway: 0 };
  for (let run = 0; run < runs; run++) {
    results.direct.push(await download(direct));
    const [toolBefore, gatewayBefore] = [
      await cpuSeconds(tool.child.pid),
      await cpuSeconds(gateway.child.pid),
    ];
    results.gateway.push(await download(through));
    cpu.container += (await cpuSeconds(tool.child.pid)) - toolBefore;
    cpu.gateway += (await cpuSeconds(gateway.child.pid)) - gatewayBefore;
    if (viaNginx) results.nginx.push(await download(viaNginx));
    results.relay.push(await download(viaRelay));
  }
  const gib = (bytes * runs) / 1024 ** 3;
  const peak = await statusKiB(gateway.child.pid, 'VmHWM');
  const summary = {
    sizeMiB: bytes / 1048576,
    runs,
    client: useCurl ? 'curl' : 'node',
    directMiBs: Math.round(median(results.direct)),
    gatewayMiBs: Math.round(median(results.gateway)),
    ratio: Number((median(results.gateway) / median(results.direct)).toFixed(3)),
    nginxProxyMiBs: viaNginx ? Math.round(median(results.nginx)) : null,
    nginxRatio: viaNginx
      ? Number((median(results.nginx) / median(results.direct)).toFixed(3))
      : null,
    nodeRelayMiBs: Math.round(median(results.relay)),
    nodeRelayRatio: Number((median(results.relay) / median(results.direct)).toFixed(3)),
    gatewayRssStartMiB: rssBefore === undefined ? null : Math.round(rssBefore / 1024),
    gatewayPeakRssMiB: peak === undefined ? null : Math.round(peak / 1024),
    cpuSecondsPerGiB: {
      container: Number((cpu.container / gib).toFixed(2)),
      gateway: Number((cpu.gateway / gib).toFixed(2)),
    },
    samples: {
      direct: results.direct.map(Math.round),
      gateway: results.gateway.map(Math.round),
      nginx: results.nginx.map(Math.round),
      relay: results.relay.map(Math.round),
    },
  };
  process.stdout.write(
    `download of ${summary.sizeMiB} MiB, median of ${runs} (${summary.client}):\n` +
      `  direct   ${summary.directMiBs} MiB/s\n  gateway  ${summary.gatewayMiBs} MiB/s  (${(summary.ratio * 100).toFixed(1)}% of direct)\n` +
      (viaNginx
        ? `  nginx    ${summary.nginxProxyMiBs} MiB/s  (${(summary.nginxRatio * 100).toFixed(1)}% of direct; reference: the same proxying in C)\n`
        : '') +
      `  relay    ${summary.nodeRelayMiBs} MiB/s  (${(summary.nodeRelayRatio * 100).toFixed(1)}% of direct; reference: a bare TCP relay in Node, no HTTP)\n` +
      `  gateway peak RSS ${summary.gatewayPeakRssMiB} MiB (at start ${summary.gatewayRssStartMiB} MiB)\n` +
      `  CPU per GiB through the gateway: container ${summary.cpuSecondsPerGiB.container} s, gateway ${summary.cpuSecondsPerGiB.gateway} s\n` +
      `  ${os.availableParallelism()} CPUs, load average ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}\n${JSON.stringify(summary)}\n`,
  );
  if (values.check && summary.ratio < 0.8) process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
    ),
  );
  await rm(data, { recursive: true, force: true });
}
