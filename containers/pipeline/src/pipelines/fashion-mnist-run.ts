import type { RunFigures } from '@kiln/api';
import type { PipelineContext } from '@kiln/pipeline';
import type { FashionMnistParameters } from './fashion-mnist-task.js';

/** What the benchmark container reports as `summary` (the fields a run's figures take). */
interface BenchmarkSummary {
  accuracy: number;
  correct: number;
  count: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  backend: string;
  throughput: { samplesPerSecond: number };
  latency: { single: { meanMs: number } };
  model: { architecture: string; parameterCount: number };
}

/** What the train container reports as `training`. */
interface TrainingSummary {
  trainCount: number;
  validationCount: number;
  trainSeconds: number;
  samplesPerSecond: number;
  final?: { loss?: number; accuracy?: number; valLoss?: number; valAccuracy?: number };
}

/**
 * The six steps of a Fashion-MNIST run: import → process → export → split → train → benchmark.
 * `model` holds the train step's model parameters (architecture, hidden units, …), the only
 * thing the dense pipeline and the linear baseline do differently. Returns the headline figures.
 */
export async function runFashionMnist(
  p: PipelineContext<FashionMnistParameters>,
  model: Record<string, unknown>,
): Promise<RunFigures> {
  const q = p.parameters;
  const raw = await p.step('import', {
    source: q.source,
    path: q.path,
    url: q.url,
    trainLimit: q.trainLimit,
    testLimit: q.testLimit,
  });
  const processed = await p.step('process', {
    dataset: raw,
    normalization: q.normalization,
    augmentation: { copies: q.augmentationCopies },
    seed: q.seed,
  });
  // uint8 pixels, normalised batch by batch by train and benchmark: a quarter of float32's
  // bytes through export, split and every download (the manifest carries the normalisation).
  const tensors = await p.step('export', { dataset: processed, dtype: 'uint8' });
  const split = await p.step('split', {
    dataset: tensors,
    validationFraction: q.validationFraction,
    seed: q.seed,
  });
  const trained = await p.step('train', {
    dataset: split,
    ...model,
    epochs: q.epochs,
    batchSize: q.batchSize,
    learningRate: q.learningRate,
    labelSmoothing: q.labelSmoothing,
    seed: q.seed,
    backend: q.backend,
  });
  const benchmark = await p.step('benchmark', {
    model: trained,
    dataset: tensors,
    backend: q.backend,
    latencyRuns: q.latencyRuns,
  });
  const [scores, training] = await Promise.all([
    benchmark.report<BenchmarkSummary>('summary', p.signal),
    trained.report<TrainingSummary>('training', p.signal),
  ]);
  p.log(`accuracy ${(scores.accuracy * 100).toFixed(2)}% on ${scores.count} test images`);
  return {
    accuracy: scores.accuracy,
    correct: scores.correct,
    count: scores.count,
    macroPrecision: scores.macroPrecision,
    macroRecall: scores.macroRecall,
    macroF1: scores.macroF1,
    architecture: scores.model.architecture,
    parameterCount: scores.model.parameterCount,
    backend: scores.backend,
    samplesPerSecond: scores.throughput.samplesPerSecond,
    latencyMs: scores.latency.single.meanMs,
    trainCount: training.trainCount,
    validationCount: training.validationCount,
    trainSeconds: training.trainSeconds,
    validationAccuracy: training.final?.valAccuracy ?? null,
  };
}
