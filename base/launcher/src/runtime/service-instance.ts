import type { LinePrefixer } from './line-prefixer.js';

/** How one run of a service ended. */
export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What ended a hosted service that failed: the error that escaped it, or why it could not start. */
  error?: string;
  /** The hosted service's start failed (rather than an error escaping it once started). */
  failedToStart?: boolean;
}

/** Where a run's output goes, a line at a time, behind the service's prefix. */
export interface InstanceOutput {
  stdout: LinePrefixer;
  stderr: LinePrefixer;
}

/**
 * One run of a service: a child process ({@link ProcessInstance}), or a start inside the
 * launcher's own process (`HostedInstance`). The runner restarts a service by starting a new one.
 */
export interface ServiceInstance {
  /** The child's process id; undefined for a hosted service, which has none of its own. */
  readonly pid: number | undefined;
  /** Resolves once, when the run has ended: on its own, or after {@link terminate} or {@link kill}. */
  readonly exited: Promise<InstanceExit>;
  /** Asks it to stop: SIGTERM to a process, `close()` to a hosted service. */
  terminate(): void;
  /**
   * Ends it now: `signal` to the whole process group of a process; a hosted service is closed
   * without waiting for anything else and counts as killed by `signal`.
   */
  kill(signal: NodeJS.Signals): void;
}

/** Starts one run of a service, its output going to `output`. */
export type InstanceStarter = (output: InstanceOutput) => ServiceInstance;
