/**
 * The `kiln` program with every subcommand. Each subcommand lives in `commands/<name>.ts` and is
 * registered here; this is the only file that reads the environment for them.
 */
import { Command } from 'commander';
import { DEFAULT_KILN_URL, type CliEnvironment } from './cli-environment.js';
import { errorLine } from './cli-error.js';
import { createCancelCommand } from './commands/cancel.js';
import { createCreateCommand } from './commands/create.js';
import { createDescribeCommand } from './commands/describe.js';
import { createDownloadCommand } from './commands/download.js';
import { createFeedbackCommand } from './commands/feedback.js';
import { createLabelCommand } from './commands/label.js';
import { createLogsCommand } from './commands/logs.js';
import { createLsCommand } from './commands/ls.js';
import { createModelsCommand } from './commands/models.js';
import { createNewCommand } from './commands/new.js';
import { createPredictCommand } from './commands/predict.js';
import { createPromoteCommand } from './commands/promote.js';
import { createRegisterCommand } from './commands/register.js';
import { createRetrainCommand } from './commands/retrain.js';
import { createRmCommand } from './commands/rm.js';
import { createRunCommand } from './commands/run.js';
import { createRunsCommand } from './commands/runs.js';
import { createServeCommand } from './commands/serve.js';
import { createStatusCommand } from './commands/status.js';
import { createUpCommand } from './commands/up.js';
import { createVariantsCommand } from './commands/variants.js';
import { createWaitCommand } from './commands/wait.js';
import { runCli } from './run-cli.js';

/** Runs the whole `kiln` program: every subcommand, global options, one-line errors. */
export async function runProgram(argv: readonly string[]): Promise<number> {
  const env: CliEnvironment = {
    url: process.env['KILN_URL'] || undefined,
    token: process.env['KILN_TOKEN'] || undefined,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  const debug = process.env['KILN_DEBUG'] === '1';

  // `kiln logs -f | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  process.on('uncaughtException', (error) => {
    // While `kiln up` hosts services in this process, their host listens too and decides
    // (docs/launcher.md, "When a hosted service fails"): an error escaping a service is that
    // service's crash, restarted by its policy, not the end of every other service.
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`kiln: ${errorLine(error)}\n${debug ? `${error.stack ?? ''}\n` : ''}`);
    process.exit(1);
  });

  const program = new Command('kiln')
    .description('Kiln: artifact containers for machine-learning pipelines')
    .option(
      '--url <url>',
      `gateway URL (env KILN_URL, default ${DEFAULT_KILN_URL}); a container argument may also be a URL`,
    )
    .option('--token <token>', 'bearer token for the gateway (env KILN_TOKEN)')
    .option('--json', 'print machine-readable JSON on stdout (no progress output)');

  program.addCommand(createLsCommand(env));
  program.addCommand(createDescribeCommand(env));
  program.addCommand(createCreateCommand(env));
  program.addCommand(createStatusCommand(env));
  program.addCommand(createWaitCommand(env));
  program.addCommand(createLogsCommand(env));
  program.addCommand(createDownloadCommand(env));
  program.addCommand(createCancelCommand(env));
  program.addCommand(createRmCommand(env));
  program.addCommand(createRunCommand(env));
  program.addCommand(createRunsCommand(env));
  program.addCommand(createVariantsCommand(env));
  program.addCommand(createModelsCommand(env));
  program.addCommand(createPredictCommand(env));
  program.addCommand(createPromoteCommand(env));
  program.addCommand(createRegisterCommand(env));
  program.addCommand(createFeedbackCommand(env));
  program.addCommand(createLabelCommand(env));
  program.addCommand(createRetrainCommand(env));
  program.addCommand(createServeCommand());
  program.addCommand(createUpCommand());
  program.addCommand(createNewCommand(env));

  return runCli(program, argv, env, debug);
}
