import { Command, CommanderError } from 'commander';
import type { CliEnvironment } from './cli-environment.js';
import { ExitCode, errorLine, exitCodeFor } from './cli-error.js';

/**
 * Sets every command up to report usage errors as one `kiln: …` line and to throw instead of
 * exiting, so that {@link runCli} alone decides the exit status.
 */
function configure(command: Command, env: CliEnvironment, path: string): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => env.stdout.write(text),
    writeErr: (text) => env.stderr.write(text),
    outputError: (text, write) =>
      write(`kiln: ${text.replace(/^error: /, '').trimEnd()} (see '${path} --help')\n`),
  });
  for (const sub of command.commands) configure(sub, env, `${path} ${sub.name()}`);
}

/**
 * Parses `argv` and runs the command; returns the exit status: 0 on success, 1 when the work
 * failed, 2 for usage errors. Errors are printed as one line on stderr, never a stack trace
 * (unless `debug`).
 */
export async function runCli(
  program: Command,
  argv: readonly string[],
  env: CliEnvironment,
  debug = false,
): Promise<ExitCode> {
  configure(program, env, program.name());
  try {
    await program.parseAsync(argv);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    env.stderr.write(`kiln: ${errorLine(error)}\n`);
    if (debug && error instanceof Error && error.stack) env.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}
