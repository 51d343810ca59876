import type { Logger } from '@kiln/api';
import type { TopologyDescription } from '@kiln/topology';
import { setTimeout as delay } from 'node:timers/promises';
import type { BuildJob } from '../mule/protocol.js';
import type { BuildListener, BuildOutcome } from './build-outcome.js';
import { MuleProcess, type MuleSurroundings } from './mule-process.js';
import type { MuleRegistry } from './mule-registry.js';

/**
 * A build longer than this may have left its mule's heap large (a training, a big file made in
 * memory): its mule exits when it ends instead of idling with that heap. Quick builds (a
 * pipeline's light steps, the runs themselves when they are quick) keep theirs for the idle spell.
 */
const LONG_BUILD_MS = 500;

/** Waits between failed mule starts: quick at first, then at most every 10 s. */
const START_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000];

export interface WorkerSlotOptions {
  index: number;
  /** This worker's GPU, or null when the container was given none. */
  gpu: number | null;
  modulePath: string;
  /** The project's topology, handed to each mule. */
  topology: TopologyDescription;
  /** What every build gets as `ctx.settings` (JSON). */
  settings: Record<string, unknown>;
  /** Each mule's working folder and environment. */
  surroundings: MuleSurroundings;
  logger: Logger;
  cancelGraceMs: number;
  startTimeoutMs: number;
  registry: MuleRegistry;
  /** A mule idle this long retires; 0 keeps it. */
  muleIdleMs: number;
  /** Builds before a mule is replaced; 0 never. */
  maxBuildsPerMule: number;
  /** Told of every start attempt, for the pool's health. */
  onStartResult(error: Error | null): void;
  /** Whether queued builds are waiting (a mule is then kept after a long build). */
  workWaiting(): Promise<boolean>;
}

/**
 * One worker of the pool: at most one build at a time, in its own mule. The mule is started
 * when work arrives (again and again with backoff while starts fail), retires after a quiet
 * spell, and is replaced after `maxBuildsPerMule` builds or a crash. The scheduler reserves a
 * slot for a build (or for starting its mule) and releases it afterwards.
 */
export class WorkerSlot {
  readonly index: number;
  readonly gpu: number | null;
  readonly #options: WorkerSlotOptions;
  #mule: MuleProcess | null = null;
  #pending: MuleProcess | null = null;
  #starting: Promise<MuleProcess | null> | null = null;
  #reserved = false;
  #buildsOnMule = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  readonly #stopped = new AbortController();

  constructor(options: WorkerSlotOptions) {
    this.#options = options;
    this.index = options.index;
    this.gpu = options.gpu;
  }

  get reserved(): boolean {
    return this.#reserved;
  }

  /** Has a mule ready for a build now. */
  get warm(): boolean {
    return this.#mule?.idle ?? false;
  }

  /** Has no mule and is not starting one. */
  get cold(): boolean {
    return this.#mule === null && this.#starting === null;
  }

  reserve(): void {
    // The idle timer keeps running: it does nothing while the slot is reserved, and `release`
    // starts it over. Creating and clearing a timer for every build costs more.
    this.#reserved = true;
  }

  release(): void {
    this.#reserved = false;
    this.#armIdleTimer();
  }

  /**
   * This slot's mule, started first if it has none (retried with backoff until one starts).
   * Null once the slot is stopped, or as soon as `signal` aborts.
   */
  ensureMule(signal?: AbortSignal): Promise<MuleProcess | null> {
    if (this.#mule) return Promise.resolve(this.#mule);
    this.#starting ??= this.#startWithRetries().finally(() => (this.#starting = null));
    if (!signal) return this.#starting;
    return new Promise((done) => {
      const onAbort = (): void => done(null);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.#starting!.then((mule) => {
        signal.removeEventListener('abort', onAbort);
        done(mule);
      });
    });
  }

  /**
   * Runs one build on this slot's mule (starting one if needed). `signal` stops it: before the
   * mule is there, or through the mule's abort escalation.
   */
  async run(job: BuildJob, listener: BuildListener, signal: AbortSignal): Promise<BuildOutcome> {
    const mule = await this.ensureMule(signal);
    if (!mule || signal.aborted) return { kind: 'aborted' };
    const onAbort = (): void => mule.abort(job.name);
    signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    let outcome: BuildOutcome;
    try {
      this.#buildsOnMule += 1;
      outcome = await mule.run(job, listener);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    // A mule let go here is gone before the server records the build: by the time a client
    // hears that the build ended (and starts, say, a download), its memory is back.
    await this.#afterBuild(mule, performance.now() - started);
    return outcome;
  }

  /** Stops the mule (a running build is left to the restart recovery) and any start. */
  async stop(): Promise<void> {
    this.#stopped.abort();
    this.#clearIdleTimer();
    await Promise.all([this.#mule?.stop(), this.#pending?.stop()]);
  }

  async #startWithRetries(): Promise<MuleProcess | null> {
    for (let failures = 0; !this.#stopped.signal.aborted; failures += 1) {
      if (failures > 0) {
        const wait = START_BACKOFF_MS[Math.min(failures - 1, START_BACKOFF_MS.length - 1)]!;
        try {
          await delay(wait, undefined, { signal: this.#stopped.signal });
        } catch {
          return null;
        }
      }
      try {
        // fork itself may throw (no memory, too many open files): a failed start like any other.
        const mule = MuleProcess.spawn({ ...this.#options, gpu: this.gpu });
        this.#pending = mule;
        await mule.ready;
        this.#options.onStartResult(null);
        this.#adopt(mule);
        return mule;
      } catch (error) {
        this.#options.onStartResult(error as Error);
        this.#options.logger.warn('a mule failed to start; trying again', {
          worker: this.index,
          failures: failures + 1,
          error: (error as Error).message,
        });
      } finally {
        this.#pending = null;
      }
    }
    return null;
  }

  #adopt(mule: MuleProcess): void {
    if (this.#stopped.signal.aborted) {
      void mule.stop();
      return;
    }
    this.#mule = mule;
    this.#buildsOnMule = 0;
    this.#options.logger.info('mule started', { worker: this.index, pid: mule.pid, gpu: this.gpu });
    mule.onExit(() => {
      if (this.#mule !== mule) return;
      // Died on its own (a crash in a build, or while idle): the next build starts a new one.
      this.#mule = null;
      this.#clearIdleTimer();
    });
    if (!this.#reserved) this.#armIdleTimer();
  }

  /**
   * After each build: a mule that reached `maxBuildsPerMule` is replaced, and one whose build
   * took longer than {@link LONG_BUILD_MS} (or the idle spell, if shorter) retires at once
   * unless builds are waiting. Starting a new mule costs about a tenth of a second, small beside
   * such a build, and a new process is the one sure way to hand back what a build left behind
   * (V8 keeps its heap's high-water mark); builds that wait (a sweep) would each pay that start
   * for nothing. Quick builds keep their mule for the idle spell: the next one is likely near.
   */
  async #afterBuild(mule: MuleProcess, tookMs: number): Promise<void> {
    if (this.#mule !== mule) return;
    const max = this.#options.maxBuildsPerMule;
    const idleMs = this.#options.muleIdleMs;
    if (max > 0 && this.#buildsOnMule >= max) {
      await this.#let(mule, 'recycled', 'max-builds');
    } else if (idleMs > 0 && tookMs >= Math.min(idleMs, LONG_BUILD_MS)) {
      const waiting = await this.#options.workWaiting().catch(() => false);
      if (!waiting && this.#mule === mule) await this.#let(mule, 'retired', 'long-build');
    }
  }

  /** Lets the slot's mule go (resolves once it exited): a new one starts for the next build. */
  #let(mule: MuleProcess, what: 'retired' | 'recycled', reason: string): Promise<void> {
    const builds = this.#buildsOnMule;
    this.#mule = null;
    this.#clearIdleTimer();
    return mule.retire().then(() =>
      this.#options.logger.info(`mule ${what}`, {
        worker: this.index,
        pid: mule.pid,
        reason,
        builds,
      }),
    );
  }

  /** Starts the idle spell over: the mule retires unless the slot is reserved by then. */
  #armIdleTimer(): void {
    const idleMs = this.#options.muleIdleMs;
    if (idleMs <= 0 || !this.#mule || this.#stopped.signal.aborted) return;
    if (this.#idleTimer) {
      this.#idleTimer.refresh();
      return;
    }
    this.#idleTimer = setTimeout(() => {
      if (!this.#reserved && this.#mule?.idle) void this.#let(this.#mule, 'retired', 'idle');
    }, idleMs);
    this.#idleTimer.unref();
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
