import { ErrorCode, KilnError } from '@kiln/api';
import type {
  ArtifactSummary,
  PipelineClient,
  RunVariants,
  StepInfo,
  ToolClient,
} from '@kiln/client';
import { isKilnApiError, Kiln } from '@kiln/client';
import { isHttpUrl, toolClient, type CliContext } from './cli-context.js';
import { describeState } from './output/format.js';
import { artifactProgress } from './progress/artifact-progress.js';
import { runProgress, type StepState } from './progress/run-progress.js';

/** Waits for an artifact (or run) with a progress display; returns its final summary. */
export async function waitWithProgress(
  context: CliContext,
  client: ToolClient | PipelineClient,
  name: string,
  label: string,
  timeout: number | undefined,
): Promise<ArtifactSummary> {
  const progress = artifactProgress(context.out, label);
  try {
    progress.update(await client.status(name));
    const final = await client.wait(name, {
      ...(timeout === undefined ? {} : { timeout }),
      ...(context.out.progress ? { onProgress: (s) => progress.update(s) } : {}),
    });
    progress.update(final);
    return final;
  } finally {
    progress.stop();
  }
}

/**
 * Waits for a run, showing one line per step: each change of the run (from `/events`) refreshes
 * its steps and the status of the steps still running.
 */
export async function waitForRun(
  context: CliContext,
  pipeline: PipelineClient,
  pipelineArg: string,
  run: string,
  label: string,
  timeout: number | undefined,
): Promise<{ run: ArtifactSummary; steps: StepInfo[]; variants: RunVariants | null }> {
  const progress = runProgress(context.out, label);
  let refreshing: Promise<void> = Promise.resolve();
  const refresh = (summary: ArtifactSummary): void => {
    refreshing = refreshing.then(async () =>
      progress.update(summary, await stepStates(context, pipeline, pipelineArg, run)),
    );
  };
  try {
    refresh(await pipeline.status(run));
    const final = await pipeline.wait(run, {
      ...(timeout === undefined ? {} : { timeout }),
      ...(context.out.progress ? { onProgress: refresh } : {}),
    });
    refresh(final);
    await refreshing;
    const [steps, variants] = await Promise.all([pipeline.steps(run), variantsOf(pipeline, run)]);
    return { run: final, steps, variants };
  } finally {
    await refreshing.catch(() => undefined);
    progress.stop();
  }
}

/**
 * A run's variants, or null when it swept none; also null from a pipeline that does not serve
 * `/runs/{name}/variants` (an extension of the API).
 */
export async function variantsOf(
  pipeline: PipelineClient,
  run: string,
): Promise<RunVariants | null> {
  try {
    return await pipeline.variants(run);
  } catch (error) {
    if (isKilnApiError(error) && error.code === ErrorCode.RouteNotFound) return null;
    throw error;
  }
}

async function stepStates(
  context: CliContext,
  pipeline: PipelineClient,
  pipelineArg: string,
  run: string,
): Promise<StepState[]> {
  const steps = await pipeline.steps(run).catch(() => []);
  return Promise.all(
    steps.map(async (step) => {
      if (step.status !== 'in-progress') return { step, artifact: undefined };
      const artifact = await stepClient(context, pipelineArg, step)
        .status(step.artifact)
        .catch(() => undefined);
      return { step, artifact };
    }),
  );
}

/** Through a gateway, a step's container by name; for a pipeline given as a URL, the step's own URL. */
function stepClient(context: CliContext, pipelineArg: string, step: StepInfo): ToolClient {
  if (!isHttpUrl(pipelineArg)) return toolClient(context, step.container);
  return Kiln.direct(new URL('../..', step.url).toString(), context.options).container();
}

/**
 * Reports a final summary: under `--json` the document, otherwise `line` on stdout when it
 * completed. A build that did not complete fails the command (exit 1) with its reason.
 */
export function reportFinal(
  context: CliContext,
  label: string,
  summary: ArtifactSummary,
  line: string,
  json: unknown = summary,
): void {
  if (context.out.json) context.out.result(json);
  if (summary.status !== 'completed') {
    throw new KilnError(ErrorCode.BuildFailed, `${label} ${describeState(summary)}`, {
      status: 500,
    });
  }
  if (!context.out.json) context.out.line(line);
}
