import { ErrorCode, KilnError, type Logger } from '@kiln/api';
import type { TopologyDescription } from '@kiln/topology';
import { fork, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  MULE_MODULE_ENV,
  MULE_SETTINGS_ENV,
  MULE_TOPOLOGY_ENV,
  type BuildJob,
  type MuleToServer,
  type ServerToMule,
} from '../mule/protocol.js';
import type { BuildListener, BuildOutcome } from './build-outcome.js';
import type { MuleRegistry } from './mule-registry.js';

const MULE_ENTRY = fileURLToPath(new URL('../mule/mule-entry.js', import.meta.url));

/** Output a mule prints before it is ready, kept to explain a failed start. */
const EARLY_OUTPUT_BYTES = 2048;

export interface MuleProcessOptions {
  modulePath: string;
  /** The project's topology, handed to the mule (reference fetching, `ctx.topology`). */
  topology: TopologyDescription;
  /** What every build gets as `ctx.settings` (JSON). */
  settings: Record<string, unknown>;
  logger: Logger;
  /** The GPU this mule sees as its only one (`CUDA_VISIBLE_DEVICES`); null leaves it alone. */
  gpu: number | null;
  /** A mule not ready within this long is killed and its start fails. */
  startTimeoutMs: number;
  /** Where running mules are recorded, for the next server to kill any left behind. */
  registry: MuleRegistry;
  /** Grace after an abort before SIGTERM, and again before SIGKILL; also for retiring. */
  cancelGraceMs: number;
  /** The mule's working folder and environment: the container's own (see `ToolServerOptions`). */
  surroundings: MuleSurroundings;
}

/** Where a mule runs: the working folder and environment of the container that forks it. */
export interface MuleSurroundings {
  cwd: string;
  environment: Readonly<Record<string, string | undefined>>;
}

interface ActiveBuild {
  job: BuildJob;
  listener: BuildListener;
  settle(outcome: BuildOutcome): void;
  aborting: boolean;
}

/**
 * One mule: a forked child that loads the tool module and builds one artifact at a time. Its
 * start resolves once the child says it is ready and rejects (with the child killed) if it
 * fails to load the module, exits or hangs first, as BullMQ's child pool does: a start can
 * never wait forever. An abort escalates to SIGTERM and SIGKILL when the build does not stop.
 */
export class MuleProcess {
  readonly #options: MuleProcessOptions;
  readonly #child: ChildProcess;
  readonly #started: Promise<void>;
  readonly #exited: Promise<void>;
  #ready = false;
  #exitedYet = false;
  #active: ActiveBuild | null = null;
  #earlyOutput = '';
  #exitListeners: (() => void)[] = [];

  private constructor(options: MuleProcessOptions) {
    this.#options = options;
    const env: NodeJS.ProcessEnv = {
      ...options.surroundings.environment,
      [MULE_MODULE_ENV]: options.modulePath,
      [MULE_TOPOLOGY_ENV]: JSON.stringify(options.topology),
      [MULE_SETTINGS_ENV]: JSON.stringify(options.settings),
    };
    if (options.gpu !== null) env['CUDA_VISIBLE_DEVICES'] = String(options.gpu);
    this.#child = fork(MULE_ENTRY, [options.registry.argument], {
      cwd: options.surroundings.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const { pid } = this.#child;
    if (pid !== undefined) {
      options.registry.add(pid);
      this.#child.once('exit', () => options.registry.remove(pid));
    }
    // A build's own console output belongs in that build's log.
    this.#child.stdout?.on('data', (chunk: Buffer) => this.#onOutput(chunk));
    this.#child.stderr?.on('data', (chunk: Buffer) => this.#onOutput(chunk));
    this.#exited = new Promise((done) => {
      this.#child.once('exit', (code, signal) => {
        this.#onExit(code, signal);
        done();
      });
      // A child that could not be spawned at all never emits 'exit'.
      this.#child.once('error', () => {
        if (this.#child.pid !== undefined) return;
        this.#onExit(null, null);
        done();
      });
    });
    this.#started = this.#awaitReady();
  }

  /** Forks a mule; `ready` tells when it can build. */
  static spawn(options: MuleProcessOptions): MuleProcess {
    return new MuleProcess(options);
  }

  /** Resolves once the mule is ready; rejects with `MULE_START_FAILED` (the child killed) otherwise. */
  get ready(): Promise<void> {
    return this.#started;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Ready and not building. */
  get idle(): boolean {
    return this.#ready && !this.#exitedYet && this.#active === null;
  }

  get exited(): boolean {
    return this.#exitedYet;
  }

  /** Calls `listener` once when the process is gone (after a crash, a retirement or a stop). */
  onExit(listener: () => void): void {
    if (this.#exitedYet) listener();
    else this.#exitListeners.push(listener);
  }

  /** Runs one build; resolves with how it ended, never rejects. */
  run(job: BuildJob, listener: BuildListener): Promise<BuildOutcome> {
    if (!this.idle) throw new Error('the mule is not idle');
    return new Promise((settle) => {
      this.#active = { job, listener, settle, aborting: false };
      this.#send({ cmd: 'build', job });
    });
  }

  /** Asks the running build to stop; kills the mule if it does not in time. */
  abort(name: string): void {
    const active = this.#active;
    if (!active || active.job.name !== name || active.aborting) return;
    active.aborting = true;
    this.#send({ cmd: 'abort', name });
    const escalate = (signal: NodeJS.Signals, next?: () => void) => () => {
      if (this.#active !== active || this.#exitedYet) return;
      this.#options.logger.warn('build did not stop in time', { artifact: name, signal });
      this.#child.kill(signal);
      next?.();
    };
    const grace = this.#options.cancelGraceMs;
    setTimeout(
      escalate('SIGTERM', () => setTimeout(escalate('SIGKILL'), grace).unref()),
      grace,
    ).unref();
  }

  /** Lets an idle mule exit on its own (it exits when its IPC channel closes). */
  async retire(): Promise<void> {
    if (this.#exitedYet) return;
    if (this.#child.connected) this.#child.disconnect();
    await this.#killAfterGrace();
  }

  /** Stops the mule now; a running build is left to the restart recovery. */
  async stop(): Promise<void> {
    if (this.#exitedYet) return;
    this.#child.kill('SIGTERM');
    await this.#killAfterGrace();
  }

  async #killAfterGrace(): Promise<void> {
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), this.#options.cancelGraceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #awaitReady(): Promise<void> {
    return new Promise<void>((done, fail) => {
      const failStart = (reason: string): void => {
        if (this.#ready) return;
        clearTimeout(timer);
        // Never leave a child alive after a failed start.
        if (!this.#exitedYet) this.#child.kill('SIGKILL');
        const output = this.#earlyOutput.trim();
        fail(
          new KilnError(
            ErrorCode.MuleStartFailed,
            output ? `${reason}; it printed: ${output}` : reason,
            { retryable: true },
          ),
        );
      };
      const timer = setTimeout(
        () => failStart(`the mule was not ready within ${this.#options.startTimeoutMs} ms`),
        this.#options.startTimeoutMs,
      );
      this.#child.once('error', (error) =>
        failStart(`the mule could not be started: ${error.message}`),
      );
      this.#child.on('message', (message: MuleToServer) => {
        if (message.cmd === 'ready') {
          clearTimeout(timer);
          this.#ready = true;
          this.#earlyOutput = '';
          done();
        } else if (message.cmd === 'init-failed') {
          failStart(`the mule could not load the tool module: ${message.error.message}`);
        } else {
          this.#onMessage(message);
        }
      });
      this.#child.once('exit', (code, signal) => {
        if (!this.#ready) failStart(`the mule ${describeExit(code, signal)} before it was ready`);
      });
    });
  }

  #onOutput(chunk: Buffer): void {
    const active = this.#active;
    if (!this.#ready) {
      this.#earlyOutput = (this.#earlyOutput + chunk.toString('utf8')).slice(-EARLY_OUTPUT_BYTES);
      return;
    }
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

  #onMessage(message: MuleToServer): void {
    switch (message.cmd) {
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
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exitedYet = true;
    const active = this.#active;
    this.#active = null;
    if (active) {
      active.settle(
        active.aborting
          ? { kind: 'aborted' }
          : {
              kind: 'crashed',
              error: {
                code: ErrorCode.MuleCrashed,
                message: `the mule ${describeExit(code, signal)} during the build`,
              },
            },
      );
    }
    for (const listener of this.#exitListeners.splice(0)) listener();
  }

  #send(message: ServerToMule): void {
    if (this.#child.connected) this.#child.send(message);
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
