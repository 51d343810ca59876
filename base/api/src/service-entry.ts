/**
 * How a service of a project starts, in a process of its own or hosted by the launcher inside
 * its own process (docs/launcher.md, "One process for the whole project"). A container whose
 * entry script offers {@link StartService} can be run either way: its `main.ts` keeps only
 * {@link runService}, the glue that runs it directly.
 */

/** Everything a service reads from its surroundings: what a process of its own would have. */
export interface ServiceContext {
  /**
   * The command's arguments after the entry script (and after the words its `package.json`
   * maps, such as `serve` for `kiln serve`): what `process.argv.slice(2)` is to a process.
   */
  readonly argv: readonly string[];
  /**
   * The service's environment. A service reads its settings here, never from `process.env`,
   * which a hosted service shares with every other.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths in `argv` and `env` are resolved from. */
  readonly cwd: string;
  /** Where the service's own lines go (`… listening on http://…`). */
  readonly stdout: NodeJS.WritableStream;
  /** Where its log goes. */
  readonly stderr: NodeJS.WritableStream;
}

/** A started service. */
export interface StartedService {
  /** Where it listens (`http://127.0.0.1:8083`). */
  readonly url: string;
  /**
   * Stops it: closes its servers and their connections, stops its child processes and clears
   * its timers. A hosting process relies on this to leave nothing of it behind, so that the
   * service can be started again in the same process.
   */
  close(): Promise<void>;
}

/**
 * What a hostable entry module exports as `startService`: starts the service and resolves once
 * it listens; rejects (with a message worth one line) when it cannot start.
 */
export type StartService = (context: ServiceContext) => Promise<StartedService>;

/**
 * The "run me directly" glue of a container's `main.ts`: starts the service with this process's
 * arguments, environment and streams, stops it on SIGTERM or SIGINT and exits. A failed start is
 * one line on stderr (`gateway: PORT must be …`) and exit code 1.
 *
 * @example
 * ```ts
 * // containers/gateway/src/main.ts
 * import { runService } from '@kiln/api';
 * import { startService } from './service.js';
 * runService('gateway', startService);
 * ```
 */
export function runService(name: string, start: StartService): void {
  const context: ServiceContext = {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  start(context).then(
    (service) => {
      const stop = (): void => {
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`${name}: did not stop cleanly: ${messageOf(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${messageOf(error)}\n`);
      process.exit(1);
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
