import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '@kiln/core';
import {
  datasetError,
  loadInMemorySet,
  loadLayersModel,
  loadTensorFlow,
  readDatasetManifest,
  requireSet,
  type Normalization,
} from '@kiln/fashion-mnist';
import type { BenchmarkParameters } from './benchmark-parameters.js';
import { classificationMetrics } from './classification-metrics.js';
import { predictSet, timeSingleImages } from './model-inference.js';
import { summarizeTimings } from './timing.js';

/** The file with the headline figures. */
export const BENCHMARK_FILE = 'benchmark.json';

/** What the train tool records in `model.json` (`userDefinedMetadata.kiln`). */
interface KilnModelMetadata {
  classes?: string[];
  inputShape?: number[];
  normalization?: Normalization;
  architecture?: string;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Builds a benchmark artifact: evaluates a trained model on a set (test by default) and
 * records accuracy, per-class precision and recall, the confusion matrix, batch and
 * single-image latency, throughput and the backend, as reports, metrics and benchmark.json.
 */
export async function buildBenchmark(ctx: BuildContext<BenchmarkParameters>): Promise<void> {
  const p = ctx.parameters;
  const loaded = await loadTensorFlow(p.backend, (line) => ctx.log(line));
  const { tf } = loaded;
  const { model, metadata } = await loadLayersModel(tf, ctx.inputs['model'] as string, 'model');
  const kiln = (metadata['kiln'] ?? {}) as KilnModelMetadata;
  const datasetDir = ctx.inputs['dataset'] as string;
  const manifest = await readDatasetManifest(datasetDir, 'dataset');
  const setInfo = requireSet(manifest, p.set, 'dataset');
  const inputShape = kiln.inputShape ?? manifest.imageShape;
  const classes = kiln.classes ?? manifest.classes;
  if (product(inputShape) !== product(setInfo.images.shape.slice(1))) {
    throw datasetError(
      `the model takes [${inputShape.join(', ')}] but the dataset's images are [${setInfo.images.shape.slice(1).join(', ')}]`,
    );
  }
  // The model's own normalisation wins: a raw import artifact is normalised as in training.
  const normalization = kiln.normalization ?? manifest.normalization;
  const set = await loadInMemorySet(datasetDir, setInfo, normalization);
  ctx.log(
    `evaluating '${p.set}' (${set.count} images) on '${loaded.backend}', batch ${p.batchSize}`,
  );
  try {
    const options = { tf, model, set, inputShape, signal: ctx.signal };
    const { predictions, batchMs } = await predictSet(options, p.batchSize, (f) =>
      ctx.progress(0.8 * f, 'predicting'),
    );
    ctx.progress(0.8, 'timing single images');
    const singleMs = await timeSingleImages(options, p.latencyRuns);
    const scores = classificationMetrics(set.labels, predictions, classes);
    const totalMs = batchMs.reduce((a, b) => a + b, 0);
    const batch = summarizeTimings(batchMs);
    const summary = {
      set: p.set,
      accuracy: scores.accuracy,
      correct: scores.correct,
      count: scores.count,
      macroPrecision: scores.macroPrecision,
      macroRecall: scores.macroRecall,
      macroF1: scores.macroF1,
      backend: loaded.backend,
      backendPackage: loaded.packageName,
      throughput: {
        samplesPerSecond: totalMs > 0 ? (set.count * 1000) / totalMs : 0,
        batchSize: p.batchSize,
      },
      latency: {
        batch: { size: p.batchSize, ...batch },
        perSampleMs: batch.meanMs / p.batchSize,
        single: summarizeTimings(singleMs),
      },
      model: { architecture: kiln.architecture ?? 'unknown', parameterCount: model.countParams() },
    };
    ctx.report('summary', summary);
    ctx.report('confusion-matrix', {
      classes,
      rows: 'true class',
      columns: 'predicted class',
      matrix: scores.confusionMatrix,
    });
    ctx.report('per-class', scores.perClass);
    ctx.metric('accuracy', scores.accuracy);
    ctx.metric('samples_per_second', summary.throughput.samplesPerSecond);
    ctx.metric('latency_ms', summary.latency.single.meanMs);
    ctx.log(
      `accuracy ${(scores.accuracy * 100).toFixed(2)}% (${scores.correct}/${scores.count}); ${Math.round(summary.throughput.samplesPerSecond)} samples/s at batch ${p.batchSize}; single image ${summary.latency.single.meanMs.toFixed(2)} ms`,
    );
    const document = {
      ...summary,
      perClass: scores.perClass,
      confusionMatrix: { classes, matrix: scores.confusionMatrix },
    };
    await writeFile(join(ctx.outputDir, BENCHMARK_FILE), `${JSON.stringify(document, null, 2)}\n`);
    ctx.progress(1, 'benchmarked');
  } finally {
    model.dispose();
  }
}
