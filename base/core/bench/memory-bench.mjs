#!/usr/bin/env node
// Memory of one tool container (issue "A laptop-sized Kiln"): the whole process tree (server and
// mules) sampled every 50 ms, idle after start, during a 1 GiB download and a 512 MiB upload that
// each start right after a 1 GiB build, and 10 s after that heavy run. Not a test: it prints.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIXTURES,
  agent,
  build,
  curl,
  hasCurl,
  row,
  sampleTree,
  sleep,
  startServer,
  treeDetail,
  treeMiB,
} from './support/bench-kit.mjs';

const BLOB = join(FIXTURES, 'blob-tool.mjs');
const MB = 1.048576; // MiB → MB

async function randomFile(path, mebibytes) {
  await new Promise((done, fail) => {
    const out = createWriteStream(path);
    let written = 0;
    const write = () => {
      while (written < mebibytes) {
        written += 1;
        if (!out.write(randomBytes(1 << 20))) return out.once('drain', write);
      }
      out.end(done);
    };
    out.on('error', fail);
    write();
  });
}

if (!hasCurl()) {
  console.log('memory bench: needs curl; skipped');
  process.exit(0);
}
const dataDir = await mkdtemp(join(tmpdir(), 'kiln-memory-'));
const upload = join(dataDir, '..', `kiln-memory-upload-${process.pid}.bin`);
await randomFile(upload, 512);
const server = await startServer(BLOB, dataDir, process.argv.slice(2));
const pid = server.child.pid;
try {
  // Idle after start: a few quiet seconds, as a container waits for its first request.
  await sleep(3000);
  const idleStart = treeMiB(pid);

  await build(server.url, { name: 'gib-1', parameters: { megabytes: 1024 } });
  let sampler = sampleTree(pid);
  const downloadSeconds = await curl([`${server.url}/artifacts/gib-1/data`]);
  const downloadPeak = sampler.stop();

  await build(server.url, { name: 'gib-2', parameters: { megabytes: 1024 } });
  sampler = sampleTree(pid);
  const uploadSeconds = await curl([
    '-F',
    'name=up',
    '-F',
    'parameters={"megabytes":1}',
    '-F',
    `upload=@${upload}`,
    `${server.url}/artifacts`,
  ]);
  const uploadPeak = sampler.stop();

  await sleep(10_000);
  const after = treeMiB(pid);
  const detail = treeDetail(pid)
    .map((p, i) => `${i === 0 ? 'server' : 'mule'} ${p.rss.toFixed(1)} (anon ${p.anon.toFixed(1)})`)
    .join(', ');

  console.log('Memory of one tool container: server and mules, RSS summed, sampled every 50 ms');
  row('idle after start', `${idleStart.toFixed(1)} MiB`, '<= 100 MiB', idleStart <= 100);
  row(
    '1 GiB download right after a 1 GiB build, peak',
    `${downloadPeak.toFixed(1)} MiB`,
    '<= 120 MiB',
    downloadPeak <= 120,
  );
  row('  (download time)', `${downloadSeconds.toFixed(2)} s`, '', true);
  row(
    '512 MiB upload right after a 1 GiB build, peak',
    `${uploadPeak.toFixed(1)} MiB`,
    '<= 120 MiB',
    uploadPeak <= 120,
  );
  row('  (upload time)', `${uploadSeconds.toFixed(2)} s`, '', true);
  row(
    '10 s after that heavy run',
    `${after.toFixed(1)} MiB`,
    `<= ${(idleStart * 1.1).toFixed(1)} (+10%)`,
    after <= idleStart * 1.1,
  );
  console.log(`  10 s after: ${detail}`);
  console.log(`(1 MiB = ${MB} MB)`);
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(upload, { force: true });
  agent.destroy();
}
