import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { describeState } from '../output/format.js';

/** `kiln cancel <container> <artifact>`: ends a queued or running build as cancelled. */
export function createCancelCommand(env: CliEnvironment): Command {
  return new Command('cancel')
    .description('cancel a queued or running build (a run cancels its running step)')
    .argument('<container>', 'container name (through the gateway) or URL')
    .argument('<artifact>', 'artifact (or run) name')
    .option('-w, --wait', 'wait until the build has stopped')
    .action(
      async (
        container: string,
        artifact: string,
        options: { wait?: boolean },
        command: Command,
      ) => {
        const context = cliContext(command, env);
        const { client, label } = await openContainer(context, container);
        await client.cancel(artifact);
        const summary = options.wait ? await client.wait(artifact) : await client.status(artifact);
        if (context.out.json) context.out.result(summary);
        else
          context.out.line(
            `${label}/${artifact}: ${options.wait ? describeState(summary) : 'cancel requested'}`,
          );
      },
    );
}
