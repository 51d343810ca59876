#!/usr/bin/env node
/**
 * The `kiln` command line. Each subcommand lives in `commands/<name>.ts` and is registered here.
 */
import { Command } from 'commander';
import { createServeCommand } from './commands/serve.js';

const program = new Command('kiln')
  .description('Kiln: artifact containers for machine-learning pipelines')
  .showHelpAfterError('(run with --help for usage)');

program.addCommand(createServeCommand());

await program.parseAsync(process.argv);
