import { MODEL_ALIASES, ModelAlias } from '@kiln/client';
import { Command, InvalidArgumentError } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { parseVersion, servingClient, withServingOption } from './serving-target.js';

function parseAlias(value: string): ModelAlias {
  if (!(MODEL_ALIASES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be ${MODEL_ALIASES.join(' or ')}`);
  return value as ModelAlias;
}

/**
 * `kiln promote <model> <version>`: makes a version the champion (a promotion, or a roll back
 * to an earlier version); it is loaded first if needed, then takes the traffic at once.
 */
export function createPromoteCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('promote')
      .description(
        'make a version the champion (promote, or roll back to an earlier one); it takes the traffic once loaded',
      )
      .argument('<model>', 'model name')
      .argument('<version>', 'version number', parseVersion)
      .option(
        '--alias <alias>',
        'the alias to move (champion or challenger)',
        parseAlias,
        ModelAlias.Champion,
      ),
  ).action(
    async (
      model: string,
      version: number,
      options: { alias: ModelAlias; serving: string },
      command: Command,
    ) => {
      const context = cliContext(command, env);
      const serving = servingClient(context, options.serving);
      const detail = await serving.setAlias(model, options.alias, version);
      if (context.out.json) {
        context.out.result(detail);
        return;
      }
      const move = detail.history.find((change) => change.alias === options.alias);
      const was =
        move && move.version === version && move.previous !== null ? ` (was ${move.previous})` : '';
      context.out.line(`${model}: ${options.alias} is version ${version}${was}`);
    },
  );
}
