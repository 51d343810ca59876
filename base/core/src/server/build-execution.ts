import type { ArtifactSummary, Logger } from '@kiln/api';
import type { EventHub } from '../events/event-hub.js';
import type { BuildJob } from '../mule/protocol.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { toSummary } from '../store/artifact-row.js';
import type { BuildCommit, BuildLease, ClaimedBuild } from '../store/build-queue.js';
import { attemptStaging } from '../store/store-layout.js';
import { isDatabaseUnavailable } from '../store/database-unavailable.js';
import type { BuildListener, BuildOutcome } from '../workers/build-outcome.js';
import type { WorkerSlot } from '../workers/worker-slot.js';

/** Why a running build is being stopped. */
export const StopReason = {
  Cancel: 'cancel',
  Delete: 'delete',
  Timeout: 'timeout',
  /** The lease could not be renewed: another holder may own the build now. */
  LeaseLost: 'lease-lost',
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

export interface BuildExecutionOptions {
  store: ArtifactStore;
  events: EventHub;
  logger: Logger;
  slot: WorkerSlot;
  claimed: ClaimedBuild;
  timeoutMs: number;
  leaseMs: number;
  /** The build ended; `callback` is its artifact's callback URL (null for none). */
  onFinal(summary: ArtifactSummary, callback: string | null): void;
}

/**
 * One claimed build on one worker, from its start to the commit that ends it: it prepares the
 * attempt, runs it in the worker's mule with the time limit, and commits how it ended through
 * its lease (a commit the lease no longer allows is dropped). The scheduler renews the lease.
 */
export class BuildExecution {
  readonly name: string;
  /** Settles once the build is over and recorded (or left for recovery). */
  readonly done: Promise<void>;
  /**
   * Settles once the worker's mule is done with the build, before its end is recorded: the
   * worker may take its next build while this one's commit is under way.
   */
  readonly workerFree: Promise<void>;
  readonly #options: BuildExecutionOptions;
  readonly #controller = new AbortController();
  #lease: BuildLease;
  /** When the lease, as last renewed, runs out by this process's clock (ms since the epoch). */
  #leaseUntil: number;
  #stopReason: StopReason | null = null;
  #detached = false;
  /** A progress message arrived in the current turn of the event loop. */
  #progressThisTurn = false;
  #finished!: () => void;
  #freed!: () => void;

  constructor(options: BuildExecutionOptions) {
    this.#options = options;
    this.name = options.claimed.artifact.name;
    this.#lease = options.claimed.lease;
    this.#leaseUntil = Date.now() + options.leaseMs;
    this.done = new Promise((done) => (this.#finished = done));
    this.workerFree = new Promise((done) => (this.#freed = done));
  }

  start(): void {
    void this.#run().finally(() => {
      this.#freed();
      this.#finished();
    });
  }

  /** Stops the build (its mule's abort escalation); resolves once it is recorded. */
  stop(reason: StopReason): Promise<void> {
    this.#stopReason ??= reason;
    this.#controller.abort();
    return this.done;
  }

  /** The server is closing: record nothing, so the next start recovers the build. */
  detach(): void {
    this.#detached = true;
  }

  async #run(): Promise<void> {
    const { store, events, logger, slot, claimed } = this.#options;
    try {
      events.artifactChanged(toSummary(claimed.artifact));
      if (slot.gpu !== null) {
        await store.appendLog(
          this.name,
          `kiln: worker ${slot.index} builds on GPU ${slot.gpu} (CUDA_VISIBLE_DEVICES=${slot.gpu})\n`,
        );
        events.logAppended(this.name);
      }
      const outcome = await this.#build();
      // The mule's last progress and its end often arrive in one read of the IPC pipe. One turn
      // of the event loop lets that progress reach /events streams before the end reaches
      // `?wait=` long-polls: a client doing both (as the SDK's wait does) sees every step.
      if (this.#progressThisTurn) await new Promise((done) => setImmediate(done));
      if (!this.#detached) await this.#record(outcome);
    } catch (error) {
      logger.error('build bookkeeping failed', { artifact: this.name, error: String(error) });
      if (!this.#detached)
        await this.#commit({
          status: 'failed',
          error: 'the server failed to record the build',
        }).catch((commitError: unknown) =>
          logger.error('could not record a failed build', {
            artifact: this.name,
            error: String(commitError),
          }),
        );
    }
  }

  async #build(): Promise<BuildOutcome> {
    const { store, slot, claimed, timeoutMs } = this.#options;
    const { artifact } = claimed;
    await store.prepareAttempt(this.name, artifact.attempt);
    // Stopped while the attempt was being prepared: never hand it to a mule.
    if (this.#stopReason !== null) return { kind: 'aborted' };
    const paths = store.paths(this.name);
    const job: BuildJob = {
      name: this.name,
      attempt: artifact.attempt,
      parameters: claimed.parameters,
      inputFiles: Object.fromEntries(
        claimed.inputFiles.map((file) => [file.name, `${paths.inputFiles}/${file.name}`]),
      ),
      inputRefs: artifact.inputs,
      // Each attempt builds in a folder of its own: a replica that lost the build never writes
      // where the attempt that took it over does.
      paths: { ...paths, staging: attemptStaging(paths, artifact.attempt) },
    };
    const timer =
      timeoutMs > 0 ? setTimeout(() => void this.stop(StopReason.Timeout), timeoutMs) : null;
    try {
      return await slot.run(job, this.#listener(), this.#controller.signal);
    } finally {
      if (timer) clearTimeout(timer);
      this.#freed();
    }
  }

  #listener(): BuildListener {
    const { store, events, logger } = this.#options;
    return {
      progress: (fraction, message) => {
        if (!this.#progressThisTurn) {
          this.#progressThisTurn = true;
          setImmediate(() => (this.#progressThisTurn = false));
        }
        store.queue.progress(this.#lease, fraction, message).then(
          (summary) => {
            if (summary) events.artifactChanged(summary);
          },
          (error: unknown) =>
            logger.warn('could not record progress', { artifact: this.name, error: String(error) }),
        );
      },
      log: () => events.logAppended(this.name),
      metric: () => events.metricsChanged(this.name),
    };
  }

  /**
   * Extends the build's lease (the scheduler calls it for every running build). Stops the build
   * when the lease was lost, when a stop was asked of it, or when the store could not be reached
   * for as long as the lease lasts: another replica may take the build over by then.
   */
  async renew(): Promise<void> {
    const { store, logger, leaseMs } = this.#options;
    const asked = Date.now();
    try {
      const renewed = await store.queue.renew(this.#lease, leaseMs);
      if (!renewed) {
        logger.warn('the build lost its lease; stopping it', { artifact: this.name });
        void this.stop(StopReason.LeaseLost);
        return;
      }
      const { stopRequested, ...lease } = renewed;
      this.#lease = lease;
      this.#leaseUntil = asked + leaseMs;
      if (stopRequested) void this.stop(stopRequested);
    } catch (error) {
      logger.warn('could not renew a lease', { artifact: this.name, error: String(error) });
      if (Date.now() >= this.#leaseUntil) {
        logger.warn('the lease ran out while the store was unreachable; stopping the build', {
          artifact: this.name,
        });
        void this.stop(StopReason.LeaseLost);
      }
    }
  }

  async #record(outcome: BuildOutcome): Promise<void> {
    const { store, timeoutMs } = this.#options;
    const reason = this.#stopReason;
    if (outcome.kind === 'completed' && reason === null) {
      await this.#commit({ status: 'completed', files: outcome.files, digest: outcome.digest });
      return;
    }
    // Whoever holds the build now owns its folder: leave it alone.
    if (reason === StopReason.LeaseLost) return;
    await store.discardBuild(this.name);
    if (reason === StopReason.Cancel || reason === StopReason.Delete) {
      await store.appendLog(this.name, 'kiln: the build was cancelled\n');
      await this.#commit({ status: 'cancelled', message: 'cancelled' });
    } else if (reason === StopReason.Timeout) {
      const error = `the build timed out after ${timeoutMs} ms`;
      await store.appendLog(this.name, `kiln: ${error}\n`);
      await this.#commit({ status: 'failed', error });
    } else {
      const error =
        outcome.kind === 'failed' || outcome.kind === 'crashed'
          ? outcome.error.message
          : 'the build stopped';
      await store.appendLog(this.name, `kiln: build failed: ${error}\n`);
      await this.#commit({ status: 'failed', error });
    }
  }

  async #commit(result: BuildCommit): Promise<void> {
    const { events, logger, onFinal } = this.#options;
    const summary = await this.#commitOnceReachable(result);
    if (!summary) {
      logger.warn('the build no longer holds its lease; its end was not recorded', {
        artifact: this.name,
        status: result.status,
      });
      return;
    }
    events.artifactChanged(summary);
    events.logAppended(this.name);
    onFinal(summary, this.#options.claimed.artifact.callback);
  }

  /**
   * Commits through the lease, trying again while the store is unreachable (a database
   * restarting): how a build ended is never dropped for an outage. The fence still decides:
   * once another replica took the build over, the commit changes nothing.
   */
  async #commitOnceReachable(result: BuildCommit): Promise<ArtifactSummary | null> {
    const { store, logger } = this.#options;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await store.queue.commit(this.#lease, result);
      } catch (error) {
        if (!isDatabaseUnavailable(error) || this.#detached) throw error;
        if (attempt === 0)
          logger.warn('the store is unreachable; the end of the build waits for it', {
            artifact: this.name,
            status: result.status,
          });
        await new Promise((done) =>
          setTimeout(done, COMMIT_RETRY_MS[Math.min(attempt, COMMIT_RETRY_MS.length - 1)]),
        );
      }
    }
  }
}

/** Waits between commits while the store is unreachable: quick at first, then every 2 s. */
const COMMIT_RETRY_MS = [50, 100, 250, 500, 1_000, 2_000];
