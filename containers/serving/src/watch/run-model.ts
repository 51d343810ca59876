import type { StepInfo } from '@kiln/api';
import { Kiln, type KilnOptions, type PipelineClient } from '@kiln/client';

/** The model a completed pipeline run made, and what to evaluate it on. */
export interface RunModel {
  /** The step whose artifact is the model. */
  model: StepInfo;
  /** URL of the dataset its benchmark step evaluated on, if it has one. */
  evaluation?: string;
  /** The variant it is, when the run swept variants (its best). */
  variant?: string;
}

/** Which steps of a run hold the model and its evaluation. */
export interface RunModelOptions {
  /** @defaultValue 'train' */
  modelStep?: string;
  /** The step whose `dataset` input is the evaluation set. @defaultValue 'benchmark' */
  evaluationStep?: string;
  /** How the benchmark step's container is reached (the topology). */
  client?: KilnOptions;
  signal?: AbortSignal;
}

/**
 * A completed run's model: its own `train` step, or, for a run that swept variants, its best
 * variant's (`train-wide`), whose figures are the run's; with the `dataset` input of the
 * matching benchmark step, the set to evaluate it on.
 */
export async function runModel(
  pipeline: PipelineClient,
  run: string,
  options: RunModelOptions = {},
): Promise<RunModel> {
  const { signal } = options;
  const [steps, variants] = await Promise.all([
    pipeline.steps(run, { signal }),
    pipeline.variants(run, { signal }),
  ]);
  const best = variants?.results.find((result) => result.name === variants.best);
  if (variants && !best) throw new Error(`run '${run}' swept variants, and none completed`);
  // A variant's steps are named in the run after it: `train` → `train-wide`.
  const named = (step: string): StepInfo | undefined => {
    const name = best ? best.steps[step] : step;
    return steps.find((candidate) => candidate.step === name);
  };
  const modelStep = options.modelStep ?? 'train';
  const model = named(modelStep);
  if (!model) {
    const whose = best ? ` (its best variant '${best.name}')` : '';
    throw new Error(`run '${run}'${whose} has no '${modelStep}' step`);
  }
  const benchmark = named(options.evaluationStep ?? 'benchmark');
  let evaluation: string | undefined;
  if (benchmark) {
    const { client, name } = Kiln.artifactAt(benchmark.url, options.client);
    const record = await client.get(name, { signal });
    evaluation = record.inputs.find((input) => input.parameter === 'dataset')?.url;
  }
  return {
    model,
    ...(evaluation ? { evaluation } : {}),
    ...(best ? { variant: best.name } : {}),
  };
}
