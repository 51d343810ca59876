import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { describeState } from '../output/format.js';

/** `kiln status <container> <artifact>`: one line with the artifact's state. */
export function createStatusCommand(env: CliEnvironment): Command {
  return new Command('status')
    .description("show an artifact's (or run's) state")
    .argument('<container>', 'container name (through the gateway) or URL')
    .argument('<artifact>', 'artifact (or run) name')
    .action(async (container: string, artifact: string, _options: unknown, command: Command) => {
      const context = cliContext(command, env);
      const { client, label } = await openContainer(context, container);
      const summary = await client.status(artifact);
      if (context.out.json) context.out.result(summary);
      else context.out.line(`${label}/${artifact}: ${describeState(summary)}`);
    });
}
