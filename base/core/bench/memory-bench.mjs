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

/** The glibc setting docs/mule.md discusses: buffers of 64 KiB and more mapped one by one. */
const TUNABLE = 'glibc.malloc.mmap_threshold=65536';

/** One container through the whole scenario; resolves with its figures in MiB and seconds. */
async function scenario(upload, env) {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-memory-'));
  const server = await startServer(BLOB, dataDir, process.argv.slice(2), env);
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
    // V8 hands emptied pages back 8 to 10 s after its last collection: 20 s shows where it settles.
    await sleep(10_000);
    const later = treeMiB(pid);
    const detail = treeDetail(pid)
      .map(
        (p, i) => `${i === 0 ? 'server' : 'mule'} ${p.rss.toFixed(1)} (anon ${p.anon.toFixed(1)})`,
      )
      .join(', ');
    return {
      idleStart,
      downloadPeak,
      downloadSeconds,
      uploadPeak,
      uploadSeconds,
      after,
      later,
      detail,
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function report(label, m) {
  console.log(label);
  row('idle after start', `${m.idleStart.toFixed(1)} MiB`, '<= 100 MiB', m.idleStart <= 100);
  row(
    '1 GiB download right after a 1 GiB build, peak',
    `${m.downloadPeak.toFixed(1)} MiB`,
    '<= 120 MiB',
    m.downloadPeak <= 120,
  );
  row('  (download time)', `${m.downloadSeconds.toFixed(2)} s`, '', true);
  row(
    '512 MiB upload right after a 1 GiB build, peak',
    `${m.uploadPeak.toFixed(1)} MiB`,
    '<= 120 MiB',
    m.uploadPeak <= 120,
  );
  row('  (upload time)', `${m.uploadSeconds.toFixed(2)} s`, '', true);
  row(
    '10 s after that heavy run',
    `${m.after.toFixed(1)} MiB`,
    `<= ${(m.idleStart * 1.1).toFixed(1)} (+10%)`,
    m.after <= m.idleStart * 1.1,
  );
  row('  20 s after', `${m.later.toFixed(1)} MiB`, '(where it settles)', true);
  console.log(`  20 s after: ${m.detail}`);
}

if (!hasCurl()) {
  console.log('memory bench: needs curl; skipped');
  process.exit(0);
}
const upload = join(tmpdir(), `kiln-memory-upload-${process.pid}.bin`);
await randomFile(upload, 512);
try {
  console.log('Memory of one tool container: server and mules, RSS summed, sampled every 50 ms');
  const { GLIBC_TUNABLES, ...plain } = process.env;
  if (GLIBC_TUNABLES)
    console.log(`(GLIBC_TUNABLES=${GLIBC_TUNABLES} is left out of the first run)`);
  report('as started by default:', await scenario(upload, plain));
  report(
    `with GLIBC_TUNABLES=${TUNABLE} (memory back, slower uploads; see docs/mule.md):`,
    await scenario(upload, { ...process.env, GLIBC_TUNABLES: TUNABLE }),
  );
} finally {
  await rm(upload, { force: true });
  agent.destroy();
}
