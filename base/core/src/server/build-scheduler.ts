import {
  ArtifactStatus,
  ErrorCode,
  KilnError,
  isFinalStatus,
  type ArtifactSummary,
  type Logger,
} from '@kiln/api';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { IndexedArtifact } from '../store/artifact-index.js';
import type { EventHub } from './event-hub.js';
import type { BuildOutcome, MuleSupervisor } from './mule-supervisor.js';

/** Why a running build is being stopped. */
const StopReason = { Cancel: 'cancel', Delete: 'delete', Timeout: 'timeout' } as const;
type StopReason = (typeof StopReason)[keyof typeof StopReason];

export interface BuildSchedulerOptions {
  store: ArtifactStore;
  mule: MuleSupervisor;
  events: EventHub;
  logger: Logger;
  /** Per-build time limit in ms; 0 for none. */
  timeoutMs: number;
  /** Called with every artifact that reached a final state. */
  onFinal(summary: ArtifactSummary): void;
}

/**
 * Feeds queued artifacts to the mule one at a time and records how each build ends. The queue
 * itself lives in the store (SQLite), so it survives a restart.
 */
export class BuildScheduler {
  readonly #options: BuildSchedulerOptions;
  #running: { name: string; stopReason: StopReason | null; done: Promise<void> } | null = null;
  #closed = false;

  constructor(options: BuildSchedulerOptions) {
    this.#options = options;
  }

  get runningName(): string | null {
    return this.#running?.name ?? null;
  }

  /** Starts the next queued build if the mule is free. Safe to call any time. */
  kick(): void {
    // #dispatchNext claims #running before its first await, so two kicks never start two builds.
    if (this.#running || this.#closed || !this.#options.mule.ready) return;
    this.#dispatchNext().catch((error: unknown) =>
      this.#options.logger.error('could not start a build', { error: String(error) }),
    );
  }

  /**
   * Cancels a queued or running build. Resolves once the artifact is final. A final artifact
   * is a 409 and stays as it is.
   */
  async cancel(name: string): Promise<void> {
    const artifact = this.#options.store.require(name);
    if (isFinalStatus(artifact.status)) {
      throw new KilnError(
        ErrorCode.ArtifactFinal,
        `artifact '${name}' is already ${artifact.status}`,
        { status: 409 },
      );
    }
    if (await this.#cancelQueued(name)) return;
    await this.#stopRunning(name, StopReason.Cancel);
  }

  /** Deletes an artifact, stopping its build first; resolves once it is gone. */
  async delete(name: string): Promise<void> {
    this.#options.store.require(name);
    if (this.#running?.name === name) await this.#stopRunning(name, StopReason.Delete);
    await this.#options.store.remove(name);
  }

  /**
   * Stops dispatching. A build still running is left `in-progress` (its mule is being stopped),
   * so the next start of the container recovers it as an interrupted build.
   */
  close(): void {
    this.#closed = true;
  }

  /** Resolves once no build bookkeeping is under way. */
  async idle(): Promise<void> {
    await this.#running?.done;
  }

  async #cancelQueued(name: string): Promise<boolean> {
    const summary = await this.#options.store.transition(
      name,
      {
        status: ArtifactStatus.Cancelled,
        finishedAt: new Date().toISOString(),
        message: 'cancelled before it started',
      },
      ArtifactStatus.Queued,
    );
    if (!summary) return false;
    await this.#options.store.appendLog(name, 'kiln: cancelled before the build started\n');
    this.#announceFinal(summary);
    return true;
  }

  async #stopRunning(name: string, reason: StopReason): Promise<void> {
    // The build may be between dispatch and start; wait for it to be the running one.
    const running = this.#running;
    if (!running || running.name !== name) return;
    running.stopReason ??= reason;
    this.#options.mule.abort(name);
    await running.done;
  }

  async #dispatchNext(): Promise<void> {
    const { store, events, logger } = this.#options;
    const next = store.nextQueued();
    if (!next) return;
    // Claim the build before any await, so a cancel or delete arriving meanwhile finds it.
    let finished!: () => void;
    const running = {
      name: next.name,
      stopReason: null as StopReason | null,
      done: new Promise<void>((r) => (finished = r)),
    };
    this.#running = running;
    const started = await store.transition(
      next.name,
      {
        status: ArtifactStatus.InProgress,
        startedAt: new Date().toISOString(),
        progress: 0,
        message: 'building',
      },
      ArtifactStatus.Queued,
    );
    if (!started) {
      this.#running = null;
      finished();
      return this.kick();
    }
    events.artifactChanged(started);
    try {
      const outcome = await this.#build(next, running);
      if (!this.#closed) await this.#record(next.name, outcome, running.stopReason);
    } catch (error) {
      logger.error('build bookkeeping failed', { artifact: next.name, error: String(error) });
      await this.#finish(next.name, ArtifactStatus.Failed, 'the server failed to record the build');
    } finally {
      this.#running = null;
      finished();
      this.kick();
    }
  }

  async #build(
    artifact: IndexedArtifact,
    running: { stopReason: StopReason | null },
  ): Promise<BuildOutcome> {
    const { store, mule, events } = this.#options;
    await store.prepareAttempt(artifact.name, artifact.attempt);
    const paths = store.paths(artifact.name);
    const parameters = store.readParameters(artifact.name);
    const inputFiles = store.readInputFiles(artifact.name);
    // Stopped while the attempt was being prepared: never hand it to the mule.
    if (running.stopReason !== null) return { kind: 'aborted' };
    const timer =
      this.#options.timeoutMs > 0
        ? setTimeout(
            () => void this.#stopRunning(artifact.name, StopReason.Timeout),
            this.#options.timeoutMs,
          )
        : null;
    try {
      return await mule.run(
        {
          name: artifact.name,
          attempt: artifact.attempt,
          parameters,
          inputFiles: Object.fromEntries(
            inputFiles.map((file) => [file.name, `${paths.inputFiles}/${file.name}`]),
          ),
          inputRefs: artifact.inputs,
          paths,
        },
        {
          progress: (fraction, message) => {
            const summary = store.setProgress(artifact.name, fraction, message);
            if (summary) events.artifactChanged(summary);
          },
          log: () => events.logAppended(artifact.name),
          metric: () => events.metricsChanged(artifact.name),
        },
      );
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async #record(name: string, outcome: BuildOutcome, stopReason: StopReason | null): Promise<void> {
    const { store } = this.#options;
    if (outcome.kind === 'completed' && stopReason === null) {
      store.recordFiles(name, outcome.files);
      const summary = await store.transition(name, {
        status: ArtifactStatus.Completed,
        finishedAt: new Date().toISOString(),
        progress: 1,
        message: null,
        digest: outcome.digest,
      });
      if (summary) this.#announceFinal(summary);
      return;
    }
    await store.discardBuild(name);
    if (stopReason === StopReason.Cancel || stopReason === StopReason.Delete) {
      await store.appendLog(name, 'kiln: the build was cancelled\n');
      await this.#finish(name, ArtifactStatus.Cancelled, null, 'cancelled');
    } else if (stopReason === StopReason.Timeout) {
      const error = `the build timed out after ${this.#options.timeoutMs} ms`;
      await store.appendLog(name, `kiln: ${error}\n`);
      await this.#finish(name, ArtifactStatus.Failed, error);
    } else {
      const error =
        outcome.kind === 'failed' || outcome.kind === 'crashed'
          ? outcome.error.message
          : 'the build stopped';
      await store.appendLog(name, `kiln: build failed: ${error}\n`);
      await this.#finish(name, ArtifactStatus.Failed, error);
    }
  }

  async #finish(
    name: string,
    status: ArtifactStatus,
    error: string | null,
    message: string | null = null,
  ): Promise<void> {
    const summary = await this.#options.store.transition(name, {
      status,
      finishedAt: new Date().toISOString(),
      error,
      message,
    });
    if (summary) this.#announceFinal(summary);
  }

  #announceFinal(summary: ArtifactSummary): void {
    this.#options.events.artifactChanged(summary);
    this.#options.events.logAppended(summary.name);
    this.#options.onFinal(summary);
  }
}
