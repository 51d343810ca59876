import { VariantGoal, type RunFigures } from '@kiln/api';
import type { PipelineContext, StepContext, StepResult } from '@kiln/pipeline';
import type { FashionMnistParameters, FashionMnistVariant } from './fashion-mnist-task.js';

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

/** The model's part of the train step's parameters (architecture, hidden units, …). */
export type ModelParameters = Record<string, unknown>;

/**
 * A Fashion-MNIST run: import → process → export → split, then train → benchmark; or, when the
 * run has `variants`, one train → benchmark per variant from the same split, all at once (the
 * train container's queue, and its workers, take them in turn; one variant benchmarks while the
 * next trains), compared by test accuracy. `model` holds the train step's model parameters,
 * the only thing the dense pipeline and the linear baseline do differently. Returns the
 * headline figures: the best variant's, with its name, for a sweep.
 */
export async function runFashionMnist(
  p: PipelineContext<FashionMnistParameters>,
  model: ModelParameters,
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
  const trainAndBenchmark = async (
    s: StepContext<FashionMnistParameters>,
    variant: ModelParameters,
  ): Promise<RunFigures> => {
    const trained = await s.step('train', {
      dataset: split,
      ...trainParameters(q, model, variant),
    });
    const benchmark = await s.step('benchmark', {
      model: trained,
      dataset: tensors,
      backend: q.backend,
      latencyRuns: q.latencyRuns,
    });
    return figuresOf(s, trained, benchmark);
  };
  if (!q.variants) return trainAndBenchmark(p, {});
  const sweep = await p.sweep(
    q.variants,
    (variant, s) => trainAndBenchmark(s, withoutName(variant)),
    { metric: 'accuracy', goal: VariantGoal.Max },
  );
  return sweep.best ? { ...sweep.best.figures, variant: sweep.best.variant.name } : {};
}

/** The train step's parameters: the run's, the model's, then what the variant sets. */
function trainParameters(
  q: FashionMnistParameters,
  model: ModelParameters,
  variant: ModelParameters,
): ModelParameters {
  return {
    ...model,
    epochs: q.epochs,
    batchSize: q.batchSize,
    learningRate: q.learningRate,
    labelSmoothing: q.labelSmoothing,
    seed: q.seed,
    backend: q.backend,
    ...variant,
  };
}

function withoutName({ name: _name, ...rest }: FashionMnistVariant): ModelParameters {
  return rest;
}

/** The headline figures, from the benchmark's `summary` and the train step's `training`. */
async function figuresOf(
  s: StepContext<FashionMnistParameters>,
  trained: StepResult,
  benchmark: StepResult,
): Promise<RunFigures> {
  const [scores, training] = await Promise.all([
    benchmark.report<BenchmarkSummary>('summary', s.signal),
    trained.report<TrainingSummary>('training', s.signal),
  ]);
  s.log(`accuracy ${(scores.accuracy * 100).toFixed(2)}% on ${scores.count} test images`);
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

/** How many steps a run takes: four data steps, then train and benchmark once per variant. */
export function fashionMnistSteps(q: Pick<FashionMnistParameters, 'variants'>): number {
  return 4 + 2 * Math.max(1, q.variants?.length ?? 0);
}
