import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { parseSeconds } from '../input/parse-numbers.js';
import { describeState } from '../output/format.js';
import { reportFinal, waitWithProgress } from '../wait-reporting.js';

/** `kiln wait <container> <artifact>`: waits for a final state; exit 1 unless completed. */
export function createWaitCommand(env: CliEnvironment): Command {
  return new Command('wait')
    .description(
      'wait until an artifact (or run) is built, showing progress; exit 1 unless it completes',
    )
    .argument('<container>', 'container name (through the gateway) or URL')
    .argument('<artifact>', 'artifact (or run) name')
    .option('--timeout <seconds>', 'give up after this long', parseSeconds)
    .action(
      async (
        container: string,
        artifact: string,
        options: { timeout?: number },
        command: Command,
      ) => {
        const context = cliContext(command, env);
        const { client, label: where } = await openContainer(context, container);
        const label = `${where}/${artifact}`;
        const final = await waitWithProgress(context, client, artifact, label, options.timeout);
        reportFinal(context, label, final, `${label}: ${describeState(final)}`);
      },
    );
}
