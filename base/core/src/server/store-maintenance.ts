import { ArtifactStatus, type ArtifactSummary, type Logger } from '@kiln/api';
import type { EventHub } from '../events/event-hub.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { isDatabaseUnavailable } from '../store/database-unavailable.js';

export interface StoreMaintenanceOptions {
  store: ArtifactStore;
  events: EventHub;
  logger: Logger;
  maxAttempts: number;
  /** A build recovery ended (failed, or cancelled): its callback is due. */
  onFinal(summary: ArtifactSummary): void;
  /** A build recovery queued again, or the store is back after an outage: a worker may claim. */
  onQueued(): void;
  /** Sends the callbacks still pending (one a replica that died was delivering). */
  resumeCallbacks(): Promise<void>;
}

/**
 * Takes back what processes that are gone left behind: their builds (at start, and in a cluster
 * as soon as their leases run out), their half-made creates, their uploads, their callbacks.
 * With the embedded store this runs once at start; with a shared one, every `intervalMs`.
 */
export class StoreMaintenance {
  readonly #options: StoreMaintenanceOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  /** The last round failed on an unreachable database: say so once, not every round. */
  #failing = false;

  constructor(options: StoreMaintenanceOptions) {
    this.#options = options;
  }

  /** Recovers the builds whose holder is gone, and announces what became of each. */
  async recoverBuilds(): Promise<void> {
    const { store, events, logger, maxAttempts } = this.#options;
    const recovered = await store.recoverInterrupted(maxAttempts);
    for (const { summary } of recovered) {
      logger.info('recovered an interrupted build', {
        artifact: summary.name,
        status: summary.status,
        attempt: summary.attempt,
      });
      events.artifactChanged(summary);
      events.logAppended(summary.name);
      if (summary.status === ArtifactStatus.Queued) this.#options.onQueued();
      else this.#options.onFinal(summary);
    }
  }

  /** Runs a round every `intervalMs` (for a store other processes share). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.#round().finally(() => (this.#running = null));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the rounds; resolves once the one under way is over. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async #round(): Promise<void> {
    const { store, logger } = this.#options;
    try {
      await this.recoverBuilds();
      await store.removeAbandonedCreates();
      await store.removeAbandonedUploads();
      await this.#options.resumeCallbacks();
      if (this.#failing) {
        logger.info('the store is reachable again');
        // Claims failed meanwhile: look at the queue again.
        this.#options.onQueued();
      }
      this.#failing = false;
    } catch (error) {
      const unavailable = isDatabaseUnavailable(error);
      if (!unavailable || !this.#failing)
        logger.warn('could not look for abandoned work', { error: String(error) });
      this.#failing = unavailable;
    }
  }
}
