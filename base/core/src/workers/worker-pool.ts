import type { Logger } from '@kiln/api';
import type { TopologyDescription } from '@kiln/topology';
import type { MuleSurroundings } from './mule-process.js';
import type { MuleRegistry } from './mule-registry.js';
import { WorkerSlot } from './worker-slot.js';

/** Failed mule starts in a row after which the container says it cannot take work. */
const FAILED_STARTS_BEFORE_UNAVAILABLE = 3;

export interface WorkerPoolOptions {
  /** How many builds may run at once. */
  workers: number;
  /** One GPU per worker, by index; empty when the container has none. */
  gpus: readonly number[];
  modulePath: string;
  /** The project's topology, handed to each mule (reference fetching, `ctx.topology`). */
  topology: TopologyDescription;
  /** What every build gets as `ctx.settings` (JSON). */
  settings: Record<string, unknown>;
  /** Each mule's working folder and environment. */
  surroundings: MuleSurroundings;
  logger: Logger;
  cancelGraceMs: number;
  muleStartTimeoutMs: number;
  registry: MuleRegistry;
  muleIdleMs: number;
  maxBuildsPerMule: number;
  /** Whether queued builds are waiting (see `WorkerSlotOptions.workWaiting`). */
  workWaiting(): Promise<boolean>;
}

/**
 * The container's workers: `workers` slots, each building one artifact at a time in its own
 * mule, started on demand. The pool knows when no mule can be started at all (several failed
 * starts in a row, none since), which is the one reason besides a full disk for `/health` to
 * answer 503.
 */
export class WorkerPool {
  readonly slots: readonly WorkerSlot[];
  #failedStarts = 0;
  #lastStartError = '';

  constructor(options: WorkerPoolOptions) {
    this.slots = Array.from(
      { length: options.workers },
      (_, index) =>
        new WorkerSlot({
          index,
          gpu: options.gpus[index] ?? null,
          modulePath: options.modulePath,
          topology: options.topology,
          settings: options.settings,
          surroundings: options.surroundings,
          logger: options.logger,
          cancelGraceMs: options.cancelGraceMs,
          startTimeoutMs: options.muleStartTimeoutMs,
          registry: options.registry,
          muleIdleMs: options.muleIdleMs,
          maxBuildsPerMule: options.maxBuildsPerMule,
          onStartResult: (error) => this.#onStartResult(error),
          workWaiting: options.workWaiting,
        }),
    );
  }

  get size(): number {
    return this.slots.length;
  }

  /** Reserves a free slot whose mule is ready, if any. */
  reserveWarm(): WorkerSlot | null {
    return this.#reserve((slot) => slot.warm);
  }

  /** Reserves a free slot with no mule (to start one), if any. */
  reserveCold(): WorkerSlot | null {
    return this.#reserve((slot) => slot.cold);
  }

  /** Why no build can be started, or null while mules start (or have not been needed). */
  get unavailableReason(): string | null {
    if (this.#failedStarts < FAILED_STARTS_BEFORE_UNAVAILABLE) return null;
    return `no build process could be started (${this.#failedStarts} failed starts in a row): ${this.#lastStartError}`;
  }

  /** Stops every mule and every start under way. */
  async stop(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.stop()));
  }

  #reserve(fits: (slot: WorkerSlot) => boolean): WorkerSlot | null {
    const slot = this.slots.find((candidate) => !candidate.reserved && fits(candidate)) ?? null;
    slot?.reserve();
    return slot;
  }

  #onStartResult(error: Error | null): void {
    if (error) {
      this.#failedStarts += 1;
      this.#lastStartError = error.message;
    } else {
      this.#failedStarts = 0;
      this.#lastStartError = '';
    }
  }
}
