#!/usr/bin/env node
// `npm run bench [-- name ...]`: runs the benchmarks one after another (they must not share the
// machine's two cores) and prints each one's own report. Not tests: they measure and report.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BENCHES = {
  core: ['base/core/bench/core-bench.mjs'],
  workers: ['base/core/bench/worker-bench.mjs'],
  memory: ['base/core/bench/memory-bench.mjs'],
  cluster: ['base/core/bench/cluster-bench.mjs'],
  pipeline: ['base/pipeline/bench/orchestration.js'],
  gateway: ['containers/gateway/bench/download-throughput.mjs'],
  training: ['containers/train/bench/fashion-mnist-bench.mjs'],
  serving: ['containers/serving/bench/serving-bench.mjs'],
  feedback: ['containers/serving/bench/feedback-bench.mjs'],
  project: ['base/launcher/bench/project-memory.mjs', '--run'],
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}\n`,
  );
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  const [script, ...args] = BENCHES[name];
  if (!existsSync(script)) {
    process.stderr.write(`bench: ${name}: ${script} is missing\n`);
    failed += 1;
    continue;
  }
  process.stdout.write(`\n=== ${name} (${script})\n`);
  const result = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
