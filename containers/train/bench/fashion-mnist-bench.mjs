// End-to-end benchmark of the Fashion-MNIST example: serves the six built tools (import, process,
// export, split, train, benchmark) through real core on loopback, runs the full pipeline on the
// full dataset, and compares training throughput with a PyTorch CPU script of the same network
// on the same tensors.
//
// Usage (from the repository root, after `npm run build`):
//   node containers/train/bench/fashion-mnist-bench.mjs [--epochs N] [--batch-size N]
//     [--hidden 256,128] [--lr X] [--final-lr X] [--architecture dense|linear]
//     [--dtype float32|uint8] [--source auto|system|bundled] [--no-torch]
//     [--torch-epochs N (2)] [--torch-threads N (1, as TF.js wasm in Node)]
//     [--torch-blas-dir DIR (also run torch with the libblas.so.3 in DIR, e.g. OpenBLAS)]
//     [--python PATH] [--out FILE]
// The throughput ratio is TF.js samples/s over PyTorch samples/s (as installed) from this run.
// Targets (issue 4): test accuracy >= 88%, end to end <= 300 s on a 2-core machine.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { artifactUrl, buildArtifact, getJson, startTool } from '@kiln/fashion-mnist/testing';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '12' },
    'batch-size': { type: 'string', default: '128' },
    hidden: { type: 'string', default: '256,128' },
    lr: { type: 'string', default: '0.001' },
    'final-lr': { type: 'string', default: '0.0001' },
    dropout: { type: 'string', default: '0' },
    architecture: { type: 'string', default: 'dense' },
    dtype: { type: 'string', default: 'float32' },
    source: { type: 'string', default: 'auto' },
    'validation-fraction': { type: 'string', default: '0.1' },
    'no-torch': { type: 'boolean', default: false },
    'torch-epochs': { type: 'string', default: '2' },
    'torch-threads': { type: 'string', default: '1' },
    'torch-blas-dir': { type: 'string' },
    python: { type: 'string' },
    out: { type: 'string', default: join(root, 'test-output', 'fashion-mnist-bench.json') },
  },
});

const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'];
const say = (line) => process.stdout.write(`${line}\n`);
const seconds = (ms) => Math.round(ms / 100) / 10;

const trainParameters = {
  architecture: args.architecture,
  hiddenUnits: args.hidden.split(',').filter(Boolean).map(Number),
  dropout: Number(args.dropout),
  epochs: Number(args.epochs),
  batchSize: Number(args['batch-size']),
  learningRate: Number(args.lr),
  finalLearningRate: Number(args['final-lr']),
  seed: 1,
};

async function runPipeline(tools) {
  const steps = {};
  const started = performance.now();
  const step = async (tool, parameters) => {
    const began = performance.now();
    const name = `bench-${tool}`;
    const record = await buildArtifact(tools[tool].url, name, parameters);
    steps[tool] = {
      seconds: seconds(performance.now() - began),
      artifact: artifactUrl(tools[tool].url, name),
    };
    say(
      `  ${tool.padEnd(9)} ${String(steps[tool].seconds).padStart(6)} s  (${record.files.length} files)`,
    );
    return steps[tool].artifact;
  };
  const raw = await step('import', { source: args.source });
  const processed = await step('process', { dataset: raw, normalization: 'unit' });
  const tensors = await step('export', { dataset: processed, dtype: args.dtype });
  const split = await step('split', {
    dataset: tensors,
    validationFraction: Number(args['validation-fraction']),
    seed: 42,
  });
  const model = await step('train', { dataset: split, ...trainParameters });
  const bench = await step('benchmark', { model, dataset: tensors });
  return {
    steps,
    wallSeconds: seconds(performance.now() - started),
    raw,
    tensors,
    split,
    model,
    bench,
  };
}

function findPython() {
  const candidates = args.python ? [args.python] : ['/usr/bin/python3', 'python3'];
  return candidates;
}

function runProcess(command, argv, env = {}) {
  return new Promise((done) => {
    const child = spawn(command, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => done({ code: -1, stdout, stderr: String(error) }));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function download(url, path) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  await writeFile(path, Buffer.from(await response.arrayBuffer()));
}

/** The BLAS library libblas.so.3 resolves to (Debian alternatives), for the report. */
async function systemBlas() {
  return realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3').catch(() => 'unknown');
}

async function findTorchPython() {
  for (const candidate of findPython()) {
    const probe = await runProcess(candidate, [
      '-c',
      'import torch, numpy; print(torch.__version__)',
    ]);
    if (probe.code === 0) return candidate;
  }
  return null;
}

/** Writes the PyTorch script's config: the split's training set and the export's test set. */
async function writeTorchConfig(dir, result, manifestSplit, manifestTensors) {
  const files = async (base, set, manifest) => {
    const info = manifest.sets[set];
    const images = join(dir, `${set}-${info.images.file}`);
    const labels = join(dir, `${set}-${info.labels.file}`);
    await download(`${base}data/${info.images.file}`, images);
    await download(`${base}data/${info.labels.file}`, labels);
    const { scale, offset } = manifest.normalization;
    const encoding = info.images.encoding;
    const map = {
      scale: scale / encoding.scale,
      offset: offset - (encoding.offset * scale) / encoding.scale,
    };
    return {
      images: { path: images, dtype: info.images.dtype, count: info.count, ...map },
      labels,
    };
  };
  const config = {
    ...trainParameters,
    epochs: Number(args['torch-epochs']),
    threads: Number(args['torch-threads']),
    classes: manifestSplit.classes.length,
    train: await files(result.split, 'train', manifestSplit),
    test: await files(result.tensors, 'test', manifestTensors),
  };
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(config));
  return path;
}

/**
 * Trains the same network with PyTorch: once as installed (Debian's python3-torch with the
 * system's libblas.so.3), and once more with the BLAS of --torch-blas-dir when given.
 */
async function runTorch(result, manifestSplit, manifestTensors) {
  if (args['no-torch']) return [{ skipped: '--no-torch' }];
  const python = await findTorchPython();
  if (!python) {
    const reason =
      'PyTorch is not installed (apt-get install -y python3-torch); skipping the throughput ratio';
    say(`  torch: ${reason}`);
    return [{ skipped: reason }];
  }
  const dir = await mkdtemp(join(tmpdir(), 'kiln-torch-'));
  try {
    const config = await writeTorchConfig(dir, result, manifestSplit, manifestTensors);
    const variants = [{ blas: await systemBlas(), env: {} }];
    if (args['torch-blas-dir']) {
      variants.push({
        blas: args['torch-blas-dir'],
        env: { LD_LIBRARY_PATH: args['torch-blas-dir'] },
      });
    }
    const runs = [];
    for (const variant of variants) {
      const run = await runProcess(
        python,
        [join(root, 'containers/train/bench/torch_mlp.py'), config],
        variant.env,
      );
      if (run.code !== 0) {
        runs.push({
          blas: variant.blas,
          skipped: `the PyTorch script failed: ${run.stderr.trim().split('\n').at(-1)}`,
        });
        continue;
      }
      const figures = JSON.parse(run.stdout.trim().split('\n').at(-1));
      runs.push({ python, blas: variant.blas, epochs: Number(args['torch-epochs']), ...figures });
    }
    return runs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
const bootStarted = performance.now();
const tools = {};
try {
  for (const tool of TOOLS)
    tools[tool] = await startTool(join(root, 'containers', tool, 'dist', 'tool.js'));
  say(`started ${TOOLS.length} tool servers in ${seconds(performance.now() - bootStarted)} s`);
  say(`pipeline (train: ${JSON.stringify(trainParameters)}):`);
  const result = await runPipeline(tools);
  const training = await getJson(`${result.model}data/training.json`);
  const bench = await getJson(`${result.bench}data/benchmark.json`);
  const manifestSplit = await getJson(`${result.split}data/manifest.json`);
  const manifestTensors = await getJson(`${result.tensors}data/manifest.json`);
  const rawManifest = await getJson(`${result.raw}data/manifest.json`);
  say(
    `end to end: ${result.wallSeconds} s; test accuracy ${(bench.accuracy * 100).toFixed(2)}%; training ${Math.round(training.samplesPerSecond)} samples/s on '${training.backend}'`,
  );
  const torch = await runTorch(result, manifestSplit, manifestTensors);
  for (const run of torch) {
    if (!run.samplesPerSecond) continue;
    run.ratio = training.samplesPerSecond / run.samplesPerSecond;
    say(
      `PyTorch ${run.torchVersion} CPU (${run.threads} thread(s), BLAS ${run.blas}, ${run.epochs} epochs): ${Math.round(run.samplesPerSecond)} samples/s`,
    );
    say(`  throughput ratio TF.js ${training.backend} / PyTorch = ${run.ratio.toFixed(3)}`);
  }
  const ratio = torch[0]?.ratio ?? null;
  const report = {
    date: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    source: rawManifest.provenance.source,
    trainImages: training.trainCount,
    validationImages: training.validationCount,
    testImages: bench.count,
    wallSeconds: result.wallSeconds,
    steps: result.steps,
    testAccuracy: bench.accuracy,
    backend: training.backend,
    trainSamplesPerSecond: training.samplesPerSecond,
    trainSeconds: training.trainSeconds,
    inference: {
      samplesPerSecond: bench.throughput.samplesPerSecond,
      singleImageMs: bench.latency.single.meanMs,
    },
    training: { ...trainParameters, history: training.history },
    torch,
    throughputRatio: ratio,
    targets: { accuracy: bench.accuracy >= 0.88, wallSeconds: result.wallSeconds <= 300 },
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  say(
    `targets: accuracy >= 88% ${report.targets.accuracy ? 'met' : 'MISSED'}; <= 300 s ${report.targets.wallSeconds ? 'met' : 'MISSED'} (results in ${args.out})`,
  );
} finally {
  await Promise.all(Object.values(tools).map((tool) => tool.close()));
}
