import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { usageError } from '../cli-error.js';
import { parseOffset } from '../input/parse-numbers.js';

/** `kiln logs <container> <artifact> [-f]`: prints (or follows) a build log. */
export function createLogsCommand(env: CliEnvironment): Command {
  return new Command('logs')
    .description("print an artifact's (or run's) build log")
    .argument('<container>', 'container name (through the gateway) or URL')
    .argument('<artifact>', 'artifact (or run) name')
    .option('-f, --follow', 'keep printing lines as they are written, until the build ends')
    .option('--offset <bytes>', 'start at this byte of the log', parseOffset)
    .action(
      async (
        container: string,
        artifact: string,
        options: { follow?: boolean; offset?: number },
        command: Command,
      ) => {
        const context = cliContext(command, env);
        if (context.out.json) throw usageError('logs prints text; --json is not supported here');
        const { client } = await openContainer(context, container);
        const offset = options.offset === undefined ? {} : { offset: options.offset };
        if (!options.follow) {
          context.out.stdout.write(await client.log(artifact, offset));
          return;
        }
        for await (const line of client.followLog(artifact, offset)) context.out.line(line);
      },
    );
}
