import type { ServiceContext, StartService, StartedService } from '@kiln/api';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { LinePrefixer } from '../runtime/line-prefixer.js';
import type { InstanceExit, InstanceOutput, ServiceInstance } from '../runtime/service-instance.js';
import type { HostedEntry } from './hosted-entry.js';
import { describe, SERVICE_HOST, type HostedRun } from './service-host.js';

/** What a service hosted in the launcher's process needs. */
export interface HostedInstanceOptions {
  entry: HostedEntry;
  name: string;
  /** What a process of its own would have had: its working folder and environment. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long its `close()` may take, when it is killed or crashed, before it is left behind. */
  graceMs: number;
  /** Launcher messages about this service. */
  report: (message: string) => void;
}

const Phase = {
  Starting: 'starting',
  Running: 'running',
  Ending: 'ending',
  Ended: 'ended',
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/**
 * A service run inside the launcher's process: its entry module's `startService`, called with the
 * context a process of its own would have had, inside its own asynchronous context of the
 * {@link SERVICE_HOST}. It ends when it is stopped (`close()`), killed (closed at once), when its
 * start fails, or when an error escapes it: the error is printed behind its name, as Node.js
 * prints an uncaught one, the service is closed, and the run ends with code 1, so the runner
 * restarts it as it restarts a crashed process.
 */
export class HostedInstance implements ServiceInstance, HostedRun {
  readonly pid = undefined;
  readonly exited: Promise<InstanceExit>;
  readonly name: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly #options: HostedInstanceOptions;
  readonly #output: InstanceOutput;
  #phase: Phase = Phase.Starting;
  #service: StartedService | null = null;
  /** Set when the run must end as soon as its start settles (stopped, killed or crashed while starting). */
  #endOnStart: InstanceExit | null = null;
  #resolveExit: (exit: InstanceExit) => void = () => undefined;
  readonly #started: Promise<void>;

  constructor(options: HostedInstanceOptions, output: InstanceOutput) {
    this.#options = options;
    this.#output = output;
    this.name = options.name;
    this.stdout = lineStream(output.stdout);
    this.stderr = lineStream(output.stderr);
    this.exited = new Promise((resolve) => (this.#resolveExit = resolve));
    this.#started = SERVICE_HOST.enter(this, () => this.#start());
  }

  terminate(): void {
    this.#endWith({ code: 0, signal: null }, false);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#phase === Phase.Ending) {
      // Already closing and out of patience: leave what is left of it behind.
      this.#options.report('did not close in time; leaving it behind');
      this.#end({ code: null, signal });
      return;
    }
    this.#endWith({ code: null, signal }, true);
  }

  crashed(error: unknown): void {
    const text = describe(error);
    if (this.#phase === Phase.Ended || this.#phase === Phase.Ending) {
      this.stderr.write(
        `error while ${this.#phase === Phase.Ended ? 'stopped' : 'stopping'}: ${text}\n`,
      );
      return;
    }
    this.stderr.write(`${text}\n`);
    this.#endWith({ code: 1, signal: null, error: headline(error) }, true);
  }

  async #start(): Promise<void> {
    let service: StartedService;
    try {
      const module = (await import(pathToFileURL(this.#options.entry.module).href)) as {
        startService?: StartService;
      };
      if (typeof module.startService !== 'function')
        throw new Error(`${this.#options.entry.module} exports no startService function`);
      service = await module.startService(this.#context());
    } catch (error) {
      if (this.#phase === Phase.Ended) return;
      this.stderr.write(`${firstLine(error)}\n`);
      this.#end({ code: 1, signal: null, error: firstLine(error), failedToStart: true });
      return;
    }
    this.#service = service;
    if (this.#endOnStart) {
      const exit = this.#endOnStart;
      await this.#close(exit);
      return;
    }
    this.#phase = Phase.Running;
  }

  #context(): ServiceContext {
    return {
      argv: this.#options.entry.argv,
      env: this.#options.env,
      cwd: this.#options.cwd,
      stdout: this.stdout,
      stderr: this.stderr,
    };
  }

  /** Closes the service (once it has started) and ends the run with `exit`. */
  #endWith(exit: InstanceExit, bounded: boolean): void {
    if (this.#phase === Phase.Ended || this.#phase === Phase.Ending) return;
    let closed: Promise<void>;
    if (this.#phase === Phase.Starting) {
      // Closed, and ended, as soon as its start settles.
      this.#endOnStart = exit;
      closed = this.#started;
    } else {
      closed = this.#close(exit);
    }
    this.#phase = Phase.Ending;
    if (!bounded) return;
    // Killed or crashed: the run ends when it has closed, or after the grace at the latest.
    const timer = setTimeout(() => this.kill(exit.signal ?? 'SIGKILL'), this.#options.graceMs);
    void closed.finally(() => clearTimeout(timer));
  }

  async #close(exit: InstanceExit): Promise<void> {
    try {
      await this.#service?.close();
      this.#end(exit);
    } catch (error) {
      this.stderr.write(`did not stop cleanly: ${describe(error)}\n`);
      this.#end({ ...exit, code: exit.code ?? 1, error: exit.error ?? firstLine(error) });
    }
  }

  #end(exit: InstanceExit): void {
    if (this.#phase === Phase.Ended) return;
    this.#phase = Phase.Ended;
    this.#output.stdout.flush();
    this.#output.stderr.flush();
    SERVICE_HOST.release(this);
    this.#resolveExit(exit);
  }
}

/** A stream that hands what is written to it to a line prefixer, at once. */
function lineStream(prefixer: LinePrefixer): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      prefixer.write(chunk);
      done();
    },
  });
}

/** The first line of an error's message: what a failed start says. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** An error's class and first line (`TypeError: x is not a function`): what a crash says. */
function headline(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${firstLine(error)}` : firstLine(error);
}
