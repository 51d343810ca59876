import { Command, CommanderError } from 'commander';
import { createServeCommand } from './commands/serve.js';

/**
 * `kiln serve …` alone: usage errors and failures are one `kiln: …` line on stderr, exit 2 and
 * 1; `KILN_DEBUG=1` adds the stack.
 */
export async function runServe(argv: readonly string[]): Promise<number> {
  const serve = createServeCommand()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(`kiln: ${text.replace(/^error: /, '').trimEnd()} (see 'kiln serve --help')\n`),
    });
  const program = new Command('kiln').exitOverride().addCommand(serve);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`kiln: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env['KILN_DEBUG'] === '1' && error instanceof Error)
      process.stderr.write(`${error.stack ?? ''}\n`);
    return 1;
  }
}
