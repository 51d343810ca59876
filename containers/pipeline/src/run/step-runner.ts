import { ErrorCode, KilnError, isFinalStatus, type ArtifactSummary } from '@kiln/api';
import type { ContainerClient } from '../client/container-client.js';
import type { ResolvedPipelineRuntimeOptions } from '../pipeline-definition.js';
import { withRetry } from '../util/retry.js';
import { containsValues } from '../util/same-values.js';
import { LogCopier } from './log-copier.js';

/**
 * How long cancelling the step may take once the run is cancelled. Kept under core's default
 * cancel grace (5 s), after which the pipeline's mule would be stopped by force; the step's
 * cancel request has reached its container by then either way.
 */
const CANCEL_CLEANUP_MS = 3_000;

/** Everything one step needs; the run supplies it. */
export interface StepJob {
  client: ContainerClient;
  step: string;
  artifact: string;
  /** Plain JSON (step results already turned into URLs). */
  parameters: Record<string, unknown>;
  cache: boolean;
  signal: AbortSignal;
  options: ResolvedPipelineRuntimeOptions;
  /** Writes one line to the run's log. */
  log(line: string): void;
  /** Called with every summary seen, to mirror status and progress into the run. */
  onUpdate(summary: ArtifactSummary): void;
}

/**
 * Runs one step to its end and returns the completed artifact's summary. Throws a
 * `MULE_BUILD_FAILED` KilnError when the step fails or is cancelled, and cancels the step
 * before rethrowing when the run's signal aborts.
 */
export async function runStep(job: StepJob): Promise<ArtifactSummary> {
  const { summary, adopted } = await createOrAdopt(job);
  job.onUpdate(summary);
  if (adopted && summary.status === 'completed') {
    job.log(`[${job.step}] reusing ${job.artifact}, completed by an earlier attempt of this run`);
    return summary;
  }
  if (summary.cached) {
    // A cache hit builds nothing: its log is one line saying so, not worth a request.
    job.log(`[${job.step}] reused the data of '${summary.cachedFrom ?? '?'}' (cache hit)`);
    return summary;
  }
  const final = await waitWithLog(job, summary);
  if (final.status === 'completed') return final;
  const how =
    final.status === 'cancelled' ? 'was cancelled' : `failed: ${final.error ?? 'no reason given'}`;
  throw new KilnError(
    ErrorCode.BuildFailed,
    `step '${job.step}' (${job.client.name}/${job.artifact}) ${how}`,
  );
}

/**
 * Creates the step's artifact, or, when its name is taken (a resumed run), adopts the existing
 * one if it was asked for with the same parameters. An adopted artifact that ended `cancelled`
 * is deleted and made again: the run is not cancelled (it is running), so the cancellation
 * belonged to an earlier attempt. One that ended `failed` is kept and fails the run.
 */
async function createOrAdopt(
  job: StepJob,
): Promise<{ summary: ArtifactSummary; adopted: boolean }> {
  const { client, artifact, signal } = job;
  const create = () =>
    withRetry(
      () => client.create({ name: artifact, parameters: job.parameters, cache: job.cache }, signal),
      job.options.unreachableGraceMs,
      signal,
    );
  const first = await create();
  if (first.kind === 'created') return { summary: first.summary, adopted: false };
  const existing = await withRetry(
    () => client.record(artifact, signal),
    job.options.unreachableGraceMs,
    signal,
  );
  if (!containsValues(existing.parameters, job.parameters)) {
    throw new KilnError(
      ErrorCode.ArtifactExists,
      `step '${job.step}': ${client.name} already has an artifact '${artifact}' made with other parameters; ` +
        'delete it or start the run under another name',
      { status: 409 },
    );
  }
  if (existing.status !== 'cancelled') return { summary: existing, adopted: true };
  job.log(
    `[${job.step}] ${artifact} was cancelled by an earlier attempt of this run; building it again`,
  );
  await client.remove(artifact, signal);
  const second = await create();
  if (second.kind === 'exists') {
    throw new KilnError(
      ErrorCode.ArtifactExists,
      `step '${job.step}': '${artifact}' appeared again while replacing it`,
      {
        status: 409,
      },
    );
  }
  return { summary: second.summary, adopted: false };
}

/**
 * Waits for a final state with the status long-poll; after each answer, mirrors the step's
 * progress and copies the log lines written meanwhile into the run's log.
 */
async function waitWithLog(job: StepJob, initial: ArtifactSummary): Promise<ArtifactSummary> {
  const { client, artifact, signal } = job;
  const grace = job.options.unreachableGraceMs;
  const copier = new LogCopier(client, artifact, (line) => job.log(`[${job.step}] ${line}`));
  let summary = initial;
  try {
    while (!isFinalStatus(summary.status)) {
      summary = await withRetry(
        () => client.status(artifact, job.options.pollWaitSeconds, signal),
        grace,
        signal,
      );
      job.onUpdate(summary);
      if (!isFinalStatus(summary.status))
        await withRetry(() => copier.copyNew(signal), grace, signal);
    }
    await withRetry(() => copier.finish(signal), grace, signal);
    return summary;
  } catch (error) {
    if (signal.aborted) await cancelStep(job);
    throw error;
  }
}

/** Cancels the running step after the run was cancelled, and records how it ended. */
async function cancelStep(job: StepJob): Promise<void> {
  const { client, artifact } = job;
  const cleanup = AbortSignal.timeout(CANCEL_CLEANUP_MS);
  try {
    await client.cancel(artifact, cleanup);
    job.log(`[${job.step}] cancelled ${artifact}`);
    // Core answers a cancel once the build has stopped, so the status is final now.
    job.onUpdate(await client.status(artifact, 0, cleanup));
  } catch (error) {
    job.log(`[${job.step}] could not cancel ${artifact}: ${(error as Error).message}`);
  }
}
