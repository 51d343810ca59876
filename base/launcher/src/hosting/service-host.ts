import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

/** What the host knows of a service running in this process. */
export interface HostedRun {
  readonly name: string;
  /** Its own output, behind its prefix. */
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Told of an error that escaped the service: it is stopped and restarted by its runner. */
  crashed(error: unknown): void;
}

/** Told of an error that escaped no service the host knows: the launcher's own, or a stray one. */
export type UnclaimedErrorListener = (error: unknown) => void;

type ConsoleMethod = 'log' | 'info' | 'debug' | 'warn' | 'error';
const TO_STDOUT: readonly ConsoleMethod[] = ['log', 'info', 'debug'];
const TO_STDERR: readonly ConsoleMethod[] = ['warn', 'error'];

/**
 * The one host of every service this process runs in itself (docs/launcher.md, "One process for
 * the whole project"). Each service starts inside its own asynchronous context, which Node.js
 * carries through every callback, timer, promise and request that descends from it; so when an
 * error escapes (an uncaught exception, an unhandled rejection), the host knows whose it is, and
 * tells that service's runner, which stops it and restarts it by its restart policy, while the
 * other services go on. The console is routed the same way, so a line a service prints with
 * `console.log` comes out behind its name.
 *
 * Process-wide listeners are installed while at least one service is hosted, and removed with
 * the last one.
 */
class ServiceHost {
  readonly #context = new AsyncLocalStorage<HostedRun>();
  readonly #runs = new Set<HostedRun>();
  readonly #unclaimed = new Set<UnclaimedErrorListener>();
  readonly #console = new Map<ConsoleMethod, (...args: unknown[]) => void>();

  /** Runs `start` as `run`'s: everything it sets off belongs to `run` until {@link release}. */
  enter<T>(run: HostedRun, start: () => T): T {
    if (this.#runs.size === 0) this.#install();
    this.#runs.add(run);
    return this.#context.run(run, start);
  }

  /** Forgets `run` (it has stopped); the last one gone, the process-wide listeners go too. */
  release(run: HostedRun): void {
    if (!this.#runs.delete(run) || this.#runs.size > 0) return;
    this.#uninstall();
  }

  /** Listens for errors no hosted service claims; returns the function that stops listening. */
  onUnclaimedError(listener: UnclaimedErrorListener): () => void {
    this.#unclaimed.add(listener);
    return () => this.#unclaimed.delete(listener);
  }

  readonly #onError = (error: unknown): void => {
    // A service that has ended may still have callbacks pending: its errors stay its own.
    const run = this.#context.getStore();
    if (run) {
      run.crashed(error);
      return;
    }
    if (this.#unclaimed.size === 0) {
      process.stderr.write(`kiln: an error no service claims: ${describe(error)}\n`);
      return;
    }
    for (const listener of this.#unclaimed) listener(error);
  };

  #install(): void {
    process.on('uncaughtException', this.#onError);
    process.on('unhandledRejection', this.#onError);
    for (const method of [...TO_STDOUT, ...TO_STDERR]) {
      const original = console[method] as (...args: unknown[]) => void;
      this.#console.set(method, original);
      const stream = TO_STDOUT.includes(method) ? 'stdout' : 'stderr';
      console[method] = (...args: unknown[]): void => {
        const run = this.#context.getStore();
        if (run) run[stream].write(`${format(...args)}\n`);
        else original.apply(console, args);
      };
    }
  }

  #uninstall(): void {
    process.off('uncaughtException', this.#onError);
    process.off('unhandledRejection', this.#onError);
    for (const [method, original] of this.#console) console[method] = original;
    this.#console.clear();
  }
}

/** An error as Node.js prints an uncaught one: its stack, or what it is. */
export function describe(error: unknown): string {
  return error instanceof Error
    ? (error.stack ?? `${error.name}: ${error.message}`)
    : format(error);
}

/** The host of this process (one per process: the listeners it installs are process-wide). */
export const SERVICE_HOST = new ServiceHost();
