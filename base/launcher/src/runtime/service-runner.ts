import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { probeHealth } from './health-probe.js';
import { LinePrefixer } from './line-prefixer.js';
import type { InstanceExit, InstanceStarter, ServiceInstance } from './service-instance.js';

/** Where a service is in its life. */
export const ServiceState = {
  /** Waiting for the services it depends on. */
  Pending: 'pending',
  /** It runs; its health check has not passed yet. */
  Starting: 'starting',
  Healthy: 'healthy',
  /** It ended on its own (its process exited, or an error escaped it); `restartInMs` says when it starts again. */
  Exited: 'exited',
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type ServiceState = (typeof ServiceState)[keyof typeof ServiceState];

/** A change of a service's state, as {@link ServiceRunner} reports it. */
export interface ServiceEvent {
  service: string;
  state: ServiceState;
  /** Its process's id; undefined for a service hosted in the launcher's process. */
  pid: number | undefined;
  /** How many times the process was started again after exiting on its own. */
  restarts: number;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** On `exited` of a hosted service: the error that escaped it, or why it could not start. */
  error?: string;
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
  /** Starts one run: a child process, or the service inside this process. */
  start: InstanceStarter;
  /** Whether it runs inside the launcher's process. */
  hosted: boolean;
  /** Full health URL, or null to count a running process as healthy. */
  healthUrl: string | null;
  restart: RestartPolicy | null;
  /** How long a service has to stop (SIGTERM, or `close()`) before it is killed. */
  stopGraceMs: number;
  /** Receives the service's output, a line at a time, already prefixed. */
  output: NodeJS.WritableStream;
  prefix: string;
  /** Launcher messages about this service (exits, restarts). */
  report: (message: string) => void;
}

const TAIL_LINES = 20;

/**
 * Runs one service, as a child process or inside this process (see {@link ServiceInstance}):
 * prefixes its output, polls its health, restarts it with backoff when it ends on its own (its
 * process exits, or an error escapes it), and stops it (SIGTERM or `close()`, then SIGKILL or
 * leaving it behind after the grace).
 */
export class ServiceRunner extends EventEmitter<{ event: [ServiceEvent] }> {
  readonly name: string;
  readonly #options: ServiceRunnerOptions;
  #state: ServiceState = ServiceState.Pending;
  #instance: ServiceInstance | undefined;
  #running = false;
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
    return this.#instance?.pid;
  }

  get hosted(): boolean {
    return this.#options.hosted;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** The last lines the service printed, for error reports. */
  get recentOutput(): readonly string[] {
    return this.#tail;
  }

  /** Starts the service (once; later starts are the restart policy's). */
  start(): void {
    if (this.#state === ServiceState.Pending) this.#spawn();
  }

  /** Resolves once the service has been started the first time. */
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

  /** Stops the service, if it runs, and any restart to come. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  /**
   * Ends the running service at once, as a crash would: `signal` to a process's group; a hosted
   * service closed without waiting for anything else. It is restarted by its restart policy.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.#running && this.#state !== ServiceState.Stopping) this.#instance?.kill(signal);
  }

  /** Sends SIGKILL to a process's group at once: for a launcher that is exiting. */
  killNow(): void {
    if (this.#running && !this.#options.hosted) this.#instance?.kill('SIGKILL');
  }

  async #stop(): Promise<void> {
    clearTimeout(this.#restartTimer);
    const instance = this.#instance;
    if (!instance || !this.#running) {
      this.#setState(ServiceState.Stopped);
      return;
    }
    this.#setState(ServiceState.Stopping);
    instance.terminate();
    const grace = new AbortController();
    const timedOut = await Promise.race([
      instance.exited.then(() => false),
      delay(this.#options.stopGraceMs, true, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (timedOut) {
      this.#options.report(`did not stop within ${this.#options.stopGraceMs} ms; killing it`);
      instance.kill('SIGKILL');
      await instance.exited;
    }
  }

  #spawn(): void {
    const output = {
      stdout: new LinePrefixer(this.#options.output, this.#options.prefix, (line) =>
        this.#remember(line),
      ),
      stderr: new LinePrefixer(this.#options.output, this.#options.prefix, (line) =>
        this.#remember(line),
      ),
    };
    this.#startedAt = Date.now();
    const instance = this.#options.start(output);
    this.#instance = instance;
    this.#running = true;
    void instance.exited.then((exit) => {
      this.#running = false;
      this.#onExit(exit);
    });
    this.#setState(ServiceState.Starting);
    void this.#watchHealth(instance);
  }

  async #watchHealth(instance: ServiceInstance): Promise<void> {
    const url = this.#options.healthUrl;
    let interval = 50;
    while (this.#instance === instance && this.#state === ServiceState.Starting) {
      if (url === null || (await probeHealth(url, 2000))) {
        if (this.#instance === instance && this.#state === ServiceState.Starting)
          this.#setState(ServiceState.Healthy);
        return;
      }
      await delay(interval);
      interval = Math.min(interval * 2, 500);
    }
  }

  #onExit({ code, signal, error, failedToStart }: InstanceExit): void {
    const ended = { exitCode: code, signal, ...(error === undefined ? {} : { error }) };
    if (this.#state === ServiceState.Stopping || this.#stopped) {
      this.#setState(ServiceState.Stopped, ended);
      return;
    }
    const policy = this.#options.restart;
    const ranFor = Date.now() - this.#startedAt;
    this.#crashStreak = policy && ranFor >= policy.stableAfterMs ? 1 : this.#crashStreak + 1;
    const restartInMs = policy
      ? Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (this.#crashStreak - 1))
      : undefined;
    const how = signal
      ? `was killed by ${signal}`
      : error === undefined
        ? `exited with code ${code}`
        : failedToStart
          ? `could not start (${error})`
          : `crashed (${error})`;
    this.#options.report(
      restartInMs === undefined
        ? `${how}; not restarting (restart: "no")`
        : `${how}; restarting in ${formatMs(restartInMs)}`,
    );
    this.#setState(ServiceState.Exited, {
      ...ended,
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
      pid: this.#instance?.pid,
      restarts: this.#restarts,
    };
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
