#!/usr/bin/env node
/**
 * The `kiln` command line's entry. `kiln serve` runs for the whole life of a container, so it
 * loads only the serve command: the SDK, the launcher and the other commands would cost it about
 * 20 MB of memory it never uses.
 */
if (process.argv[2] === 'serve') {
  const { runServe } = await import('./serve-main.js');
  process.exitCode = await runServe(process.argv);
} else {
  const { runProgram } = await import('./program.js');
  process.exitCode = await runProgram(process.argv);
}
