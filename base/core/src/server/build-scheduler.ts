import {
  ArtifactStatus,
  ErrorCode,
  KilnError,
  isFinalStatus,
  type ArtifactSummary,
  type Logger,
} from '@kiln/api';
import type { EventHub, Unsubscribe } from '../events/event-hub.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { StopRequest, type ClaimedBuild } from '../store/build-queue.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import type { WorkerSlot } from '../workers/worker-slot.js';
import { BuildExecution } from './build-execution.js';
import { FinalWatch } from './final-watch.js';

/**
 * How long a stop asked of another replica waits for the build to end before it reads the
 * artifact again and repeats the request (a notification may be lost while a connection is
 * re-made; a holder that died ends the build when its lease runs out).
 */
const STOP_RECHECK_MS = 5_000;

export interface BuildSchedulerOptions {
  store: ArtifactStore;
  pool: WorkerPool;
  events: EventHub;
  logger: Logger;
  /** This process, as the owner of the leases it takes. */
  owner: string;
  /** Per-build time limit in ms; 0 for none. */
  timeoutMs: number;
  /** How long a lease lasts unless renewed (renewed every third of it). */
  leaseMs: number;
  /**
   * Called with every artifact that reached a final state, and its callback URL when it is
   * known here (null: none; undefined: not known).
   */
  onFinal(summary: ArtifactSummary, callback?: string | null): void;
}

/**
 * Feeds queued builds to the worker pool, oldest first, and stops them on cancel, delete or
 * timeout. A free worker with a ready mule claims the next build from the queue; when builds
 * wait and no mule is ready, a free worker starts one. The queue itself lives in the store, so
 * it survives a restart.
 */
export class BuildScheduler {
  readonly #options: BuildSchedulerOptions;
  readonly #running = new Map<string, BuildExecution>();
  /** Settles once the latest claim is registered in `#running` (or found nothing). */
  #claiming: Promise<void> = Promise.resolve();
  #kicked = false;
  #filling: Promise<void> | null = null;
  /** Mules being started for queued work, so one waiting build does not start several. */
  #warming = 0;
  #closed = false;
  /** One timer renews the lease of every running build, every third of a lease. */
  readonly #renewal: NodeJS.Timeout;
  readonly #subscriptions: Unsubscribe[];

  constructor(options: BuildSchedulerOptions) {
    this.#options = options;
    this.#renewal = setInterval(() => {
      for (const execution of this.#running.values()) void execution.renew();
    }, options.leaseMs / 3);
    this.#renewal.unref();
    const { events } = options;
    this.#subscriptions = [
      // Another replica asks to stop a build this one holds.
      events.onStopRequest((name, request) => void this.#running.get(name)?.stop(request)),
      // Work queued by any replica (or lost track of during an outage) is worth a look.
      events.onAnyArtifact((summary) => {
        if (summary.status === ArtifactStatus.Queued) this.kick();
      }),
      events.onResync(() => this.kick()),
    ];
  }

  /** Starts queued builds on free workers. Safe to call any time, as often as wanted. */
  kick(): void {
    if (this.#closed) return;
    this.#kicked = true;
    this.#filling ??= this.#fill()
      .catch((error: unknown) =>
        this.#options.logger.error('could not start a build', { error: String(error) }),
      )
      .finally(() => {
        this.#filling = null;
        if (this.#kicked) this.kick();
      });
  }

  /**
   * Cancels a queued or running build. Resolves once the artifact is final. A final artifact
   * is a 409 and stays as it is.
   */
  async cancel(name: string): Promise<void> {
    const artifact = await this.#options.store.require(name);
    if (isFinalStatus(artifact.status)) {
      throw new KilnError(
        ErrorCode.ArtifactFinal,
        `artifact '${name}' is already ${artifact.status}`,
        { status: 409 },
      );
    }
    if (await this.#cancelQueued(name, true)) return;
    await this.#stopRunning(name, StopRequest.Cancel);
  }

  /** Deletes an artifact, stopping its build first; resolves once it is gone. */
  async delete(name: string): Promise<void> {
    await this.#options.store.require(name);
    // A queued build leaves the queue first, so no worker can claim it while it goes.
    if (!(await this.#cancelQueued(name, false))) await this.#stopRunning(name, StopRequest.Delete);
    await this.#options.store.remove(name);
  }

  /**
   * Stops dispatching. Builds still running are left `in-progress` (their mules are being
   * stopped), so the next start of the container recovers them as interrupted builds.
   */
  close(): void {
    this.#closed = true;
    clearInterval(this.#renewal);
    for (const unsubscribe of this.#subscriptions) unsubscribe();
    for (const execution of this.#running.values()) execution.detach();
  }

  /** Resolves once no build bookkeeping is under way. */
  async idle(): Promise<void> {
    await this.#filling;
    await Promise.all([...this.#running.values()].map((execution) => execution.done));
  }

  async #fill(): Promise<void> {
    while (this.#kicked && !this.#closed) {
      this.#kicked = false;
      while (!this.#closed && (await this.#dispatchOne())) {
        // Go on while a build was claimed or a mule started.
      }
    }
  }

  /** Claims one build for a warm worker, or starts a mule for waiting work; false if neither. */
  async #dispatchOne(): Promise<boolean> {
    const warm = this.#options.pool.reserveWarm();
    if (warm) {
      const claiming = this.#claimFor(warm);
      this.#claiming = claiming.then(
        () => undefined,
        () => undefined,
      );
      return (await claiming) !== null;
    }
    return this.#warmUpFor();
  }

  /** Claims the oldest ready build for `slot` and starts it; releases the slot if none. */
  async #claimFor(slot: WorkerSlot): Promise<ClaimedBuild | null> {
    const { store, owner, leaseMs } = this.#options;
    let claimed: ClaimedBuild | null;
    try {
      claimed = await store.queue.claim({ owner, leaseMs, gpu: slot.gpu });
    } catch (error) {
      slot.release();
      throw error;
    }
    if (!claimed) {
      slot.release();
      return null;
    }
    const execution = new BuildExecution({ ...this.#options, slot, claimed });
    // Registered before this promise settles: a cancel that waits on `#claiming` finds it.
    this.#running.set(claimed.artifact.name, execution);
    // The worker takes its next build while this one's end is being recorded.
    void execution.workerFree.then(() => {
      slot.release();
      this.kick();
    });
    void execution.done.then(() => this.#running.delete(claimed.artifact.name));
    execution.start();
    return claimed;
  }

  /** Starts a mule on a free worker when more builds wait than mules are being started. */
  async #warmUpFor(): Promise<boolean> {
    const cold = this.#options.pool.reserveCold();
    if (!cold) return false;
    const waiting = await this.#options.store.queue.countReady().catch(() => 0);
    if (waiting <= this.#warming || this.#closed) {
      cold.release();
      return false;
    }
    this.#warming += 1;
    void cold.ensureMule().then(() => {
      this.#warming -= 1;
      cold.release();
      this.kick();
    });
    return true;
  }

  /** Ends a queued build as cancelled; false when it is not queued (any more). */
  async #cancelQueued(name: string, announce: boolean): Promise<boolean> {
    const { store } = this.#options;
    const summary = await store.transition(
      name,
      {
        status: ArtifactStatus.Cancelled,
        finishedAt: new Date().toISOString(),
        message: 'cancelled before it started',
      },
      ArtifactStatus.Queued,
    );
    if (!summary) return false;
    if (announce) {
      await store.appendLog(name, 'kiln: cancelled before the build started\n');
      this.#options.events.artifactChanged(summary);
      this.#options.events.logAppended(name);
      this.#options.onFinal(summary);
    }
    return true;
  }

  async #stopRunning(name: string, request: StopRequest): Promise<void> {
    // The build may have been claimed a moment ago: wait until it is registered.
    if (!this.#running.has(name)) await this.#claiming;
    const execution = this.#running.get(name);
    if (execution) await execution.stop(request);
    else await this.#stopElsewhere(name, request);
  }

  /**
   * Stops a build this process does not hold: another replica does (or did, until it died).
   * The request is recorded with the build and announced; the holder stops it, or whoever
   * recovers it once its lease runs out ends it cancelled. Resolves once the artifact is final.
   */
  async #stopElsewhere(name: string, request: StopRequest): Promise<void> {
    const { store, events } = this.#options;
    const final = new FinalWatch(events, name);
    try {
      for (;;) {
        if (await store.queue.requestStop(name, request)) {
          events.stopRequested(name, request);
          if (await final.within(STOP_RECHECK_MS)) return;
        }
        const artifact = await store.get(name);
        if (!artifact || isFinalStatus(artifact.status)) return;
        if (
          artifact.status === ArtifactStatus.Queued &&
          (await this.#cancelQueued(name, request === StopRequest.Cancel))
        )
          return;
      }
    } finally {
      final.close();
    }
  }
}
