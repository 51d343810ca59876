import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { probeHealth } from './health-probe.js';
import { LinePrefixer } from './line-prefixer.js';

/** Where a service is in its life. */
export const ServiceState = {
  /** Waiting for the services it depends on. */
  Pending: 'pending',
  /** Its process runs; its health check has not passed yet. */
  Starting: 'starting',
  Healthy: 'healthy',
  /** Its process ended on its own; `restartInMs` says when it starts again. */
  Exited: 'exited',
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type ServiceState = (typeof ServiceState)[keyof typeof ServiceState];

/** A change of a service's state, as {@link ServiceRunner} reports it. */
export interface ServiceEvent {
  service: string;
  state: ServiceState;
  pid: number | undefined;
  /** How many times the process was started again after exiting on its own. */
  restarts: number;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** On `exited`: the backoff before the next start, or undefined when it is not restarted. */
  restartInMs?: number;
}

/** Restart policy: exponential backoff, reset once a process has run for a while. */
export interface RestartPolicy {
  /** @defaultValue 500 */
  initialDelayMs: number;
  /** @defaultValue 30000 */
  maxDelayMs: number;
  /** A process that ran this long before exiting starts the backoff afresh. @defaultValue 30000 */
  stableAfterMs: number;
}

/** Everything a {@link ServiceRunner} needs to run one service. */
export interface ServiceRunnerOptions {
  name: string;
  /** argv; the first element is the executable. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Full health URL, or null to count a running process as healthy. */
  healthUrl: string | null;
  restart: RestartPolicy | null;
  /** How long a process has to exit after SIGTERM before it is killed. */
  stopGraceMs: number;
  /** Receives the process's output, a line at a time, already prefixed. */
  output: NodeJS.WritableStream;
  prefix: string;
  /** Launcher messages about this service (exits, restarts). */
  report: (message: string) => void;
}

const TAIL_LINES = 20;

/**
 * Runs one service as a child process: prefixes its output, polls its health, restarts it with
 * backoff when it exits on its own, and stops it with SIGTERM then SIGKILL. Each process gets
 * its own process group, so a terminal's Ctrl-C reaches only the launcher, which stops services
 * in order, and so leftovers of a crashed process (its mule) can be cleaned up with it.
 */
export class ServiceRunner extends EventEmitter<{ event: [ServiceEvent] }> {
  readonly name: string;
  readonly #options: ServiceRunnerOptions;
  #state: ServiceState = ServiceState.Pending;
  #child: ChildProcess | undefined;
  #restarts = 0;
  #crashStreak = 0;
  #startedAt = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #tail: string[] = [];
  #stopped: Promise<void> | undefined;

  constructor(options: ServiceRunnerOptions) {
    super();
    this.name = options.name;
    this.#options = options;
  }

  get state(): ServiceState {
    return this.#state;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** The last lines the service printed, for error reports. */
  get recentOutput(): readonly string[] {
    return this.#tail;
  }

  /** Starts the process (once; later starts are the restart policy's). */
  start(): void {
    if (this.#state === ServiceState.Pending) this.#spawn();
  }

  /** Resolves once the process has been started the first time. */
  started(): Promise<unknown> {
    return this.#state === ServiceState.Pending
      ? this.reach(ServiceState.Starting)
      : Promise.resolve();
  }

  /** Resolves when the service is next (or already) in `state`. */
  reach(state: ServiceState): Promise<ServiceEvent> {
    if (this.#state === state) return Promise.resolve(this.#event());
    return new Promise((resolve) => {
      const listener = (event: ServiceEvent): void => {
        if (event.state !== state) return;
        this.off('event', listener);
        resolve(event);
      };
      this.on('event', listener);
    });
  }

  /** Stops the process, if any, and any restart to come. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  /** Sends SIGKILL to the process group at once: for a launcher that is exiting. */
  killNow(): void {
    if (this.#child?.pid !== undefined && this.#child.exitCode === null)
      killGroup(this.#child.pid, 'SIGKILL');
  }

  async #stop(): Promise<void> {
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#setState(ServiceState.Stopped);
      return;
    }
    this.#setState(ServiceState.Stopping);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const grace = new AbortController();
    const timedOut = await Promise.race([
      exited.then(() => false),
      delay(this.#options.stopGraceMs, true, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (timedOut) {
      this.#options.report(`did not stop within ${this.#options.stopGraceMs} ms; killing it`);
      killGroup(child.pid!, 'SIGKILL');
      await exited;
    }
  }

  #spawn(): void {
    const [command, ...args] = this.#options.argv;
    const stdout = new LinePrefixer(this.#options.output, this.#options.prefix, (line) =>
      this.#remember(line),
    );
    const stderr = new LinePrefixer(this.#options.output, this.#options.prefix, (line) =>
      this.#remember(line),
    );
    const child = spawn(command!, args, {
      cwd: this.#options.cwd,
      env: this.#options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#child = child;
    this.#startedAt = Date.now();
    child.stdout?.on('data', (chunk: Buffer) => stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.write(chunk));
    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (ended) return;
      ended = true;
      stdout.flush();
      stderr.flush();
      if (error) this.#options.report(`could not start: ${error.message}`);
      this.#onExit(child, code, signal);
    };
    child.once('error', (error) => onEnd(null, null, error));
    child.once('exit', (code, signal) => onEnd(code, signal));
    this.#setState(ServiceState.Starting);
    void this.#watchHealth(child);
  }

  async #watchHealth(child: ChildProcess): Promise<void> {
    const url = this.#options.healthUrl;
    let interval = 50;
    while (this.#child === child && this.#state === ServiceState.Starting) {
      if (url === null || (await probeHealth(url, 2000))) {
        if (this.#child === child && this.#state === ServiceState.Starting)
          this.#setState(ServiceState.Healthy);
        return;
      }
      await delay(interval);
      interval = Math.min(interval * 2, 500);
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    // Whatever the process left behind in its group (a forked mule) goes with it.
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    if (this.#state === ServiceState.Stopping || this.#stopped) {
      this.#setState(ServiceState.Stopped, { exitCode: code, signal });
      return;
    }
    const policy = this.#options.restart;
    const ranFor = Date.now() - this.#startedAt;
    this.#crashStreak = policy && ranFor >= policy.stableAfterMs ? 1 : this.#crashStreak + 1;
    const restartInMs = policy
      ? Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (this.#crashStreak - 1))
      : undefined;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.#options.report(
      restartInMs === undefined
        ? `${how}; not restarting (restart: "no")`
        : `${how}; restarting in ${formatMs(restartInMs)}`,
    );
    this.#setState(ServiceState.Exited, {
      exitCode: code,
      signal,
      ...(restartInMs === undefined ? {} : { restartInMs }),
    });
    if (restartInMs === undefined) return;
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped) return;
      this.#restarts += 1;
      this.#spawn();
    }, restartInMs);
  }

  #remember(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
  }

  #setState(state: ServiceState, extra: Partial<ServiceEvent> = {}): void {
    this.#state = state;
    this.emit('event', { ...this.#event(), ...extra });
  }

  #event(): ServiceEvent {
    return {
      service: this.name,
      state: this.#state,
      pid: this.#child?.pid,
      restarts: this.#restarts,
    };
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
