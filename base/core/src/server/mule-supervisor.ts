import { ErrorCode, type Logger, type DataFileEntry } from '@kiln/api';
import type { TopologyDescription } from '@kiln/topology';
import { fork, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  MULE_MODULE_ENV,
  MULE_SETTINGS_ENV,
  MULE_TOPOLOGY_ENV,
  type BuildFailure,
  type BuildJob,
  type MuleToServer,
  type ServerToMule,
} from '../mule/protocol.js';

/** How one build ended, as the server sees it. */
export type BuildOutcome =
  | { kind: 'completed'; files: DataFileEntry[]; digest: string }
  | { kind: 'failed'; error: BuildFailure }
  | { kind: 'aborted' }
  | { kind: 'crashed'; error: BuildFailure };

/** Live notifications from a running build. */
export interface BuildListener {
  progress(fraction: number, message: string | null): void;
  log(): void;
  metric(): void;
}

export interface MuleSupervisorOptions {
  modulePath: string;
  /** The project's topology, handed to the mule (reference fetching, `ctx.topology`). */
  topology: TopologyDescription;
  /** What the server hands every build as `ctx.settings` (JSON). */
  settings: Record<string, unknown>;
  logger: Logger;
  /** Grace after an abort before SIGTERM, and again before SIGKILL. */
  cancelGraceMs: number;
  /** Recycle the mule after this many builds; 0 never. */
  maxBuildsPerMule: number;
  /** Called whenever the mule becomes ready or unavailable. */
  onAvailability(ready: boolean): void;
}

const MULE_ENTRY = fileURLToPath(new URL('../mule/mule-entry.js', import.meta.url));
const RESTART_BACKOFF_MS = [0, 100, 500, 2_000, 5_000];

interface ActiveBuild {
  job: BuildJob;
  listener: BuildListener;
  settle(outcome: BuildOutcome): void;
  aborting: boolean;
}

/**
 * Owns the mule child: forks it, hands it one build at a time, restarts it when it dies, and
 * escalates an abort to SIGTERM and SIGKILL when the build does not stop in time.
 */
export class MuleSupervisor {
  readonly #options: MuleSupervisorOptions;
  #child: ChildProcess | null = null;
  #ready = false;
  #active: ActiveBuild | null = null;
  #buildsOnThisMule = 0;
  #failedStarts = 0;
  #stopping = false;
  #recycling = false;
  #readyWaiters: { done: () => void; fail: (error: Error) => void }[] = [];

  constructor(options: MuleSupervisorOptions) {
    this.#options = options;
  }

  get ready(): boolean {
    return this.#ready && this.#active === null;
  }

  get available(): boolean {
    return this.#ready || this.#active !== null;
  }

  /** Forks the first mule and resolves once it is ready (or failed to load the module). */
  start(): Promise<void> {
    const readyOnce = new Promise<void>((done, fail) => this.#readyWaiters.push({ done, fail }));
    this.#spawn();
    return readyOnce;
  }

  /** Runs one build; resolves with how it ended, never rejects. */
  run(job: BuildJob, listener: BuildListener): Promise<BuildOutcome> {
    if (!this.ready || !this.#child) throw new Error('the mule is not ready');
    return new Promise((settle) => {
      this.#active = { job, listener, settle, aborting: false };
      this.#buildsOnThisMule += 1;
      this.#send({ cmd: 'build', job });
    });
  }

  /** Asks the running build to stop; kills the mule if it does not in time. */
  abort(name: string): void {
    const active = this.#active;
    if (!active || active.job.name !== name || active.aborting) return;
    active.aborting = true;
    this.#send({ cmd: 'abort', name });
    const child = this.#child;
    const escalate = (signal: NodeJS.Signals, next?: () => void) => () => {
      if (this.#active !== active || this.#child !== child || !child) return;
      this.#options.logger.warn('build did not stop in time', { artifact: name, signal });
      child.kill(signal);
      next?.();
    };
    const grace = this.#options.cancelGraceMs;
    setTimeout(
      escalate('SIGTERM', () => setTimeout(escalate('SIGKILL'), grace).unref()),
      grace,
    ).unref();
  }

  /** Stops the mule; a running build is left to the restart recovery. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.#options.cancelGraceMs);
    await exited;
    clearTimeout(timer);
  }

  #spawn(): void {
    const child = fork(MULE_ENTRY, [], {
      env: {
        ...process.env,
        [MULE_MODULE_ENV]: this.#options.modulePath,
        [MULE_TOPOLOGY_ENV]: JSON.stringify(this.#options.topology),
        [MULE_SETTINGS_ENV]: JSON.stringify(this.#options.settings),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child = child;
    child.on('message', (message: MuleToServer) => this.#onMessage(child, message));
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
    // A build's own console output belongs in that build's log.
    child.stdout?.on('data', (chunk: Buffer) => this.#onOutput(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#onOutput(chunk));
  }

  #onOutput(chunk: Buffer): void {
    const active = this.#active;
    if (!active) {
      this.#options.logger.info('mule output', { text: chunk.toString('utf8').trimEnd() });
      return;
    }
    appendFile(active.job.paths.log, chunk).then(
      () => active.listener.log(),
      (error: unknown) =>
        this.#options.logger.warn('could not append mule output', { error: String(error) }),
    );
  }

  #onMessage(child: ChildProcess, message: MuleToServer): void {
    if (child !== this.#child) return;
    switch (message.cmd) {
      case 'ready':
        this.#ready = true;
        this.#failedStarts = 0;
        this.#options.onAvailability(true);
        this.#readyWaiters.splice(0).forEach((waiter) => waiter.done());
        return;
      case 'init-failed':
        this.#options.logger.error('the mule could not load the tool module', {
          error: message.error.message,
        });
        this.#readyWaiters
          .splice(0)
          .forEach((waiter) => waiter.fail(new Error(message.error.message)));
        return;
      case 'progress':
        this.#active?.listener.progress(message.fraction, message.message);
        return;
      case 'log':
        this.#active?.listener.log();
        return;
      case 'metric':
        this.#active?.listener.metric();
        return;
      case 'completed':
        this.#finish({ kind: 'completed', files: message.files, digest: message.digest });
        return;
      case 'failed':
        this.#finish({ kind: 'failed', error: message.error });
        return;
      case 'aborted':
        this.#finish({ kind: 'aborted' });
        return;
    }
  }

  #finish(outcome: BuildOutcome): void {
    const active = this.#active;
    this.#active = null;
    active?.settle(outcome);
    const max = this.#options.maxBuildsPerMule;
    if (max > 0 && this.#buildsOnThisMule >= max && this.#child) {
      this.#options.logger.info('recycling the mule', { builds: this.#buildsOnThisMule });
      this.#ready = false;
      this.#recycling = true;
      this.#child.kill('SIGTERM');
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child) return;
    this.#child = null;
    this.#ready = false;
    const active = this.#active;
    this.#active = null;
    if (active) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const outcome: BuildOutcome = active.aborting
        ? { kind: 'aborted' }
        : {
            kind: 'crashed',
            error: { code: ErrorCode.MuleCrashed, message: `the mule ${how} during the build` },
          };
      active.settle(outcome);
    }
    if (this.#stopping) return;
    const recycled = this.#recycling;
    this.#recycling = false;
    this.#buildsOnThisMule = 0;
    if (!recycled) this.#failedStarts += 1;
    this.#options.onAvailability(false);
    const delay =
      RESTART_BACKOFF_MS[Math.min(this.#failedStarts, RESTART_BACKOFF_MS.length - 1)] ?? 0;
    this.#options.logger.warn('mule exited; starting a new one', { code, signal, delayMs: delay });
    setTimeout(() => {
      if (!this.#stopping) this.#spawn();
    }, delay).unref();
  }

  #send(message: ServerToMule): void {
    this.#child?.send(message);
  }
}
