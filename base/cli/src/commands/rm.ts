import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';

/** `kiln rm <container> <artifact...>`: deletes artifacts (cancelling running builds first). */
export function createRmCommand(env: CliEnvironment): Command {
  return new Command('rm')
    .description('delete artifacts (or runs); a running build is cancelled first')
    .argument('<container>', 'container name (through the gateway) or URL')
    .argument('<artifact...>', 'artifact (or run) names')
    .action(async (container: string, artifacts: string[], _options: unknown, command: Command) => {
      const context = cliContext(command, env);
      const { client, label } = await openContainer(context, container);
      for (const artifact of artifacts) {
        await client.delete(artifact);
        if (!context.out.json) context.out.line(`deleted ${label}/${artifact}`);
      }
      if (context.out.json) context.out.result({ deleted: artifacts });
    });
}
