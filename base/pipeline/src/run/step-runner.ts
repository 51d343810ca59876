import { ErrorCode, KilnError, isFinalStatus, type ArtifactSummary } from '@kiln/api';
import { isKilnApiError, retryWithGrace, type ToolClient } from '@kiln/client';
import type { ResolvedPipelineRuntimeOptions } from '../pipeline-definition.js';
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
  client: ToolClient;
  /** The container's name, for messages. */
  container: string;
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
 * before rethrowing when the job's signal aborts (the run was cancelled, or the run or variant
 * that started it has ended), whether it was being created or followed. A container that does
 * not answer is tried again for `unreachableGraceMs` (it may be restarting), through
 * `@kiln/client`'s retry budget.
 */
export async function runStep(job: StepJob): Promise<ArtifactSummary> {
  try {
    return await runToEnd(job);
  } catch (error) {
    if (job.signal.aborted) await cancelStep(job);
    throw inStep(job, error);
  }
}

async function runToEnd(job: StepJob): Promise<ArtifactSummary> {
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
    `step '${job.step}' (${job.container}/${job.artifact}) ${how}`,
  );
}

/** The same operation, tried again while its container may be restarting. */
function withGrace<T>(job: StepJob, operation: () => Promise<T>): Promise<T> {
  return retryWithGrace(operation, { graceMs: job.options.unreachableGraceMs, signal: job.signal });
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
  const first = await create(job);
  if (first) return { summary: first, adopted: false };
  const existing = await withGrace(job, () => client.get(artifact, { signal }));
  if (!containsValues(existing.parameters, job.parameters)) {
    throw new KilnError(
      ErrorCode.ArtifactExists,
      `${job.container} already has an artifact '${artifact}' made with other parameters; ` +
        'delete it or start the run under another name',
      { status: 409 },
    );
  }
  if (existing.status !== 'cancelled') return { summary: existing, adopted: true };
  job.log(
    `[${job.step}] ${artifact} was cancelled by an earlier attempt of this run; building it again`,
  );
  await withGrace(job, () => client.delete(artifact, { signal }));
  const second = await create(job);
  if (!second) {
    throw new KilnError(
      ErrorCode.ArtifactExists,
      `'${artifact}' appeared again while replacing it`,
      {
        status: 409,
      },
    );
  }
  return { summary: second, adopted: false };
}

/** `POST /artifacts` for the step; undefined when the name is taken (409). */
async function create(job: StepJob): Promise<ArtifactSummary | undefined> {
  const request = { name: job.artifact, parameters: job.parameters, cache: job.cache };
  try {
    return await withGrace(job, () => job.client.create({ ...request, signal: job.signal }));
  } catch (error) {
    if (isKilnApiError(error) && error.code === ErrorCode.ArtifactExists) return undefined;
    throw error;
  }
}

/**
 * Waits for a final state with the status long-poll; after each answer, mirrors the step's
 * progress and copies the log lines written meanwhile into the run's log.
 */
async function waitWithLog(job: StepJob, initial: ArtifactSummary): Promise<ArtifactSummary> {
  const { client, artifact, signal } = job;
  const copier = new LogCopier(client, artifact, (line) => job.log(`[${job.step}] ${line}`));
  let summary = initial;
  while (!isFinalStatus(summary.status)) {
    summary = await withGrace(job, () =>
      client.status(artifact, { wait: job.options.pollWaitSeconds, signal }),
    );
    job.onUpdate(summary);
    if (!isFinalStatus(summary.status)) await withGrace(job, () => copier.copyNew(signal));
  }
  await withGrace(job, () => copier.finish(signal));
  return summary;
}

/**
 * Cancels the step once its run (or variant) no longer wants it, and records how it ended. A
 * step whose create never reached its container has nothing to cancel.
 */
async function cancelStep(job: StepJob): Promise<void> {
  const { client, artifact } = job;
  const cleanup = { signal: AbortSignal.timeout(CANCEL_CLEANUP_MS) };
  try {
    const outcome = await client.cancel(artifact, cleanup).then(
      () => 'cancelled' as const,
      (error: unknown) => {
        // Already final (it ended on its own meanwhile), or never created.
        if (isKilnApiError(error) && error.code === ErrorCode.ArtifactFinal) return 'final';
        if (isKilnApiError(error) && error.code === ErrorCode.ArtifactNotFound) return 'missing';
        throw error;
      },
    );
    if (outcome === 'missing') return;
    if (outcome === 'cancelled') job.log(`[${job.step}] cancelled ${artifact}`);
    // Core answers a cancel once the build has stopped, so the status is final now.
    job.onUpdate(await client.status(artifact, cleanup));
  } catch (error) {
    job.log(`[${job.step}] could not cancel ${artifact}: ${(error as Error).message}`);
  }
}

/**
 * A step's failure as the run reports it: the step and container named, the code kept. A
 * failed build says so already; the run's own abort passes through untouched.
 */
function inStep(job: StepJob, error: unknown): unknown {
  if (job.signal.aborted || !(error instanceof KilnError) || error.code === ErrorCode.BuildFailed)
    return error;
  return new KilnError(error.code, `step '${job.step}' on ${job.container}: ${error.message}`, {
    status: error.status,
    retryable: error.retryable,
    cause: error,
    ...(error.errors ? { errors: error.errors } : {}),
  });
}
