import { spawn, type ChildProcess } from 'node:child_process';
import type { InstanceExit, InstanceOutput, ServiceInstance } from './service-instance.js';

/** What a service run as a process of its own needs. */
export interface ProcessInstanceOptions {
  /** argv; the first element is the executable. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Told when the process could not be started at all (say, no such executable). */
  report: (message: string) => void;
}

/**
 * A service run as a child process. Each gets its own process group, so a terminal's Ctrl-C
 * reaches only the launcher, which stops services in order, and so what a process leaves
 * behind when it dies (a forked mule) is killed with it.
 */
export class ProcessInstance implements ServiceInstance {
  readonly exited: Promise<InstanceExit>;
  readonly #child: ChildProcess;

  constructor(options: ProcessInstanceOptions, output: InstanceOutput) {
    const [command, ...args] = options.argv;
    this.#child = spawn(command!, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const child = this.#child;
    child.stdout?.on('data', (chunk: Buffer) => output.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.stderr.write(chunk));
    this.exited = new Promise((resolve) => {
      let ended = false;
      const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
        if (ended) return;
        ended = true;
        output.stdout.flush();
        output.stderr.flush();
        if (error) options.report(`could not start: ${error.message}`);
        // Whatever the process left behind in its group (a forked mule) goes with it.
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        resolve({ code, signal });
      };
      child.once('error', (error) => onEnd(null, null, error));
      child.once('exit', (code, signal) => onEnd(code, signal));
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  terminate(): void {
    this.#child.kill('SIGTERM');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#child.pid !== undefined && this.#child.exitCode === null)
      killGroup(this.#child.pid, signal);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
