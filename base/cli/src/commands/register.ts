import { Command } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { ErrorCode, KilnError } from '@kiln/api';
import { parseSeconds } from '../input/parse-numbers.js';
import { formatShare, servingClient, withServingOption } from './serving-target.js';

/** `kiln register <model> <artifact>`: serves a completed model artifact as the next version. */
export function createRegisterCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('register')
      .description(
        'serve a completed model artifact (its URL) as the next version of a model; it becomes challenger, or champion when there is none',
      )
      .argument('<model>', 'model name')
      .argument('<artifact>', 'URL of a completed model artifact of the train container')
      .option('--evaluation <url>', 'URL of a dataset artifact whose test set scores the version')
      .option('--set <name>', "the dataset's set to score on", 'test')
      .option('--wait', 'wait until the version is loaded and evaluated (or failed)')
      .option('--timeout <seconds>', 'give up waiting after this long', parseSeconds),
  ).action(
    async (
      model: string,
      artifact: string,
      options: {
        evaluation?: string;
        set: string;
        wait?: boolean;
        timeout?: number;
        serving: string;
      },
      command: Command,
    ) => {
      const context = cliContext(command, env);
      const serving = servingClient(context, options.serving);
      const created = await serving.register(model, {
        artifact,
        ...(options.evaluation ? { evaluation: options.evaluation, set: options.set } : {}),
      });
      if (!options.wait) {
        if (context.out.json) context.out.result(created);
        else
          context.out.line(`${model}: version ${created.version} registered (${created.status})`);
        return;
      }
      if (context.out.progress)
        context.out.progressLine(`${model}: version ${created.version} loading and evaluating…`);
      const done = await serving.waitForVersion(model, created.version, {
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      });
      if (context.out.json) context.out.result(done);
      // A version that cannot serve fails the command (exit 1) with its reason, as a failed build does.
      if (done.status === 'failed') {
        throw new KilnError(
          ErrorCode.VersionUnusable,
          `${model}: version ${done.version} failed: ${done.reason ?? 'no reason given'}`,
          { status: 409 },
        );
      }
      if (!context.out.json)
        context.out.line(
          `${model}: version ${done.version} ${done.status}${done.aliases.length ? ` (${done.aliases.join(', ')})` : ''}, accuracy ${formatShare(done.figures?.accuracy)}`,
        );
    },
  );
}
