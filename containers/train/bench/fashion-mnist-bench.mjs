// End-to-end benchmark of the Fashion-MNIST example: serves the six built tools (import, process,
// export, split, train, benchmark) through real core on loopback, runs them on the full dataset
// with the parameters the `fashion-mnist` pipeline sends by default, and compares training
// throughput with a PyTorch CPU script of the same network, schedule and tensors.
//
// Usage (from the repository root, after `npm run build`):
//   node containers/train/bench/fashion-mnist-bench.mjs [--runs N (1)] [--seed N (1)]
//     [--epochs N] [--batch-size N] [--hidden 256,128] [--lr X] [--final-lr X]
//     [--schedule cosine|exponential] [--warmup-epochs X] [--label-smoothing X] [--dropout X]
//     [--architecture dense|linear] [--normalization standard|unit|none (standard)]
//     [--dtype uint8|float32 (uint8)] [--source auto|system|bundled]
//     [--no-torch] [--torch-epochs N (2)] [--torch-threads N (1, as TF.js wasm in Node)]
//     [--torch-blas-dir DIR (also run torch with the libblas.so.3 in DIR, e.g. OpenBLAS)]
//     [--no-torch-system-blas (only the --torch-blas-dir run: e.g. a full-length run for accuracy)]
//     [--python PATH] [--out FILE]
// Training flags left out take the train tool's defaults (the pipeline's); the PyTorch script
// trains with the parameters the train artifact records. With --runs N the pipeline runs N
// times (fresh artifacts each time) and the report gives each run and the medians.
// The throughput ratio is TF.js samples/s over PyTorch samples/s (as installed) from this run.
// Targets (issue 13): test accuracy >= 89.5%, end to end <= 120 s on a 2-core machine.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { artifactUrl, buildArtifact, getJson, startTool } from '@kiln/fashion-mnist/testing';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    hidden: { type: 'string' },
    lr: { type: 'string' },
    'final-lr': { type: 'string' },
    schedule: { type: 'string' },
    'warmup-epochs': { type: 'string' },
    'label-smoothing': { type: 'string' },
    dropout: { type: 'string' },
    architecture: { type: 'string' },
    normalization: { type: 'string', default: 'standard' },
    dtype: { type: 'string', default: 'uint8' },
    source: { type: 'string', default: 'auto' },
    'validation-fraction': { type: 'string', default: '0.1' },
    'no-torch': { type: 'boolean', default: false },
    'torch-epochs': { type: 'string', default: '2' },
    'torch-threads': { type: 'string', default: '1' },
    'torch-blas-dir': { type: 'string' },
    'no-torch-system-blas': { type: 'boolean', default: false },
    python: { type: 'string' },
    out: { type: 'string', default: join(root, 'test-output', 'fashion-mnist-bench.json') },
  },
});

const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'];
const say = (line) => process.stdout.write(`${line}\n`);
const seconds = (ms) => Math.round(ms / 100) / 10;

const seed = Number(args.seed);
const number = (flag) => (args[flag] === undefined ? undefined : Number(args[flag]));
/** The train parameters given on the command line; the rest are the train tool's defaults. */
const trainParameters = Object.fromEntries(
  Object.entries({
    architecture: args.architecture,
    hiddenUnits: args.hidden?.split(',').filter(Boolean).map(Number),
    dropout: number('dropout'),
    epochs: number('epochs'),
    batchSize: number('batch-size'),
    learningRate: number('lr'),
    finalLearningRate: number('final-lr'),
    learningRateSchedule: args.schedule,
    warmupEpochs: number('warmup-epochs'),
    labelSmoothing: number('label-smoothing'),
  }).filter(([, value]) => value !== undefined),
);

/**
 * CPU seconds (user + system) used so far by this process and every process below it (the
 * tools' mules), read from /proc: on a shared machine CPU time says what the work costs when
 * wall time does not. Null where /proc is missing.
 */
async function treeCpuSeconds() {
  const ticks = 100; // USER_HZ, 100 on every Linux this runs on
  const stats = new Map();
  let entries;
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (pid) => {
        const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
        if (!text) return;
        // Fields after the command (which may hold spaces) start at field 3 (state).
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        stats.set(Number(pid), {
          ppid: Number(fields[1]),
          own: Number(fields[11]) + Number(fields[12]),
          reaped: Number(fields[13]) + Number(fields[14]),
        });
      }),
  );
  let total = 0;
  const visit = (pid, self) => {
    const stat = stats.get(pid);
    if (!stat) return;
    total += stat.own + (self ? stat.reaped : 0);
    for (const [child, info] of stats) if (info.ppid === pid) visit(child, false);
  };
  visit(process.pid, true);
  return total / ticks;
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs the six steps with the parameters the `fashion-mnist` pipeline sends by default. */
async function runPipeline(tools, run) {
  const steps = {};
  const started = performance.now();
  const step = async (tool, parameters) => {
    const began = performance.now();
    const name = `bench-${run}-${tool}`;
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
  const processed = await step('process', {
    dataset: raw,
    normalization: args.normalization,
    augmentation: { copies: 0 },
    seed,
  });
  const tensors = await step('export', { dataset: processed, dtype: args.dtype });
  const split = await step('split', {
    dataset: tensors,
    validationFraction: Number(args['validation-fraction']),
    seed,
  });
  const model = await step('train', { dataset: split, ...trainParameters, seed });
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
async function writeTorchConfig(dir, result, training, manifestSplit, manifestTensors) {
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
    ...training.parameters,
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
async function runTorch(result, training, manifestSplit, manifestTensors) {
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
    const config = await writeTorchConfig(dir, result, training, manifestSplit, manifestTensors);
    const variants = args['no-torch-system-blas'] ? [] : [{ blas: await systemBlas(), env: {} }];
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

/** One run of the pipeline, with its figures. */
async function measuredRun(tools, run) {
  const cpuBefore = await treeCpuSeconds();
  const loadBefore = loadavg()[0];
  const result = await runPipeline(tools, run);
  const cpuAfter = await treeCpuSeconds();
  const training = await getJson(`${result.model}data/training.json`);
  const bench = await getJson(`${result.bench}data/benchmark.json`);
  const cpuSeconds = cpuBefore === null ? null : Math.round((cpuAfter - cpuBefore) * 10) / 10;
  say(
    `run ${run}: end to end ${result.wallSeconds} s (${cpuSeconds ?? '?'} CPU s, load ${loadBefore.toFixed(1)}); test accuracy ${(bench.accuracy * 100).toFixed(2)}%, validation ${((training.final?.valAccuracy ?? 0) * 100).toFixed(2)}%; training ${Math.round(training.samplesPerSecond)} samples/s on '${training.backend}' (${training.trainCpuSeconds} CPU s for ${training.trainSeconds.toFixed(1)} s)`,
  );
  return {
    result,
    training,
    bench,
    figures: {
      wallSeconds: result.wallSeconds,
      cpuSeconds,
      loadAverageAtStart: Math.round(loadBefore * 100) / 100,
      steps: result.steps,
      testAccuracy: bench.accuracy,
      validationAccuracy: training.final?.valAccuracy ?? null,
      trainSamplesPerSecond: training.samplesPerSecond,
      trainSeconds: training.trainSeconds,
      trainCpuSeconds: training.trainCpuSeconds,
    },
  };
}

const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
const bootStarted = performance.now();
const tools = {};
try {
  for (const tool of TOOLS)
    tools[tool] = await startTool(join(root, 'containers', tool, 'dist', 'tool.js'));
  say(`started ${TOOLS.length} tool servers in ${seconds(performance.now() - bootStarted)} s`);
  say(
    `pipeline (seed ${seed}, ${args.normalization} normalisation, export ${args.dtype}, train: ${JSON.stringify(trainParameters)}):`,
  );
  const runs = [];
  for (let run = 1; run <= Number(args.runs); run++) runs.push(await measuredRun(tools, run));
  const { result, training, bench } = runs[0];
  const manifestSplit = await getJson(`${result.split}data/manifest.json`);
  const manifestTensors = await getJson(`${result.tensors}data/manifest.json`);
  const rawManifest = await getJson(`${result.raw}data/manifest.json`);
  const torch = await runTorch(result, training, manifestSplit, manifestTensors);
  for (const run of torch) {
    if (!run.samplesPerSecond) continue;
    run.ratio = training.samplesPerSecond / run.samplesPerSecond;
    say(
      `PyTorch ${run.torchVersion} CPU (${run.threads} thread(s), BLAS ${run.blas}, ${run.epochs} epochs): ${Math.round(run.samplesPerSecond)} samples/s, test accuracy ${(run.testAccuracy * 100).toFixed(2)}%`,
    );
    say(`  throughput ratio TF.js ${training.backend} / PyTorch = ${run.ratio.toFixed(3)}`);
  }
  const figures = runs.map((r) => r.figures);
  const medians = Object.fromEntries(
    ['wallSeconds', 'cpuSeconds', 'trainSamplesPerSecond', 'trainSeconds', 'trainCpuSeconds'].map(
      (key) => [key, median(figures.map((f) => f[key]))],
    ),
  );
  const report = {
    date: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    source: rawManifest.provenance.source,
    seed,
    normalization: args.normalization,
    exportDtype: args.dtype,
    trainImages: training.trainCount,
    validationImages: training.validationCount,
    testImages: bench.count,
    testAccuracy: bench.accuracy,
    validationAccuracy: training.final?.valAccuracy ?? null,
    backend: training.backend,
    runs: figures,
    medians,
    inference: {
      samplesPerSecond: bench.throughput.samplesPerSecond,
      singleImageMs: bench.latency.single.meanMs,
    },
    training: { parameters: training.parameters, history: training.history },
    torch,
    throughputRatio: torch[0]?.ratio ?? null,
    targets: {
      accuracy: bench.accuracy >= 0.895,
      wallSeconds: medians.wallSeconds <= 120,
    },
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  say(
    `median of ${runs.length} run(s): end to end ${medians.wallSeconds} s, ${medians.cpuSeconds} CPU s, training ${Math.round(medians.trainSamplesPerSecond)} samples/s`,
  );
  say(
    `targets: accuracy >= 89.5% ${report.targets.accuracy ? 'met' : 'MISSED'}; <= 120 s ${report.targets.wallSeconds ? 'met' : 'MISSED'} (results in ${args.out})`,
  );
} finally {
  await Promise.all(Object.values(tools).map((tool) => tool.close()));
}
