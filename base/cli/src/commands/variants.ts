import type { PipelineClient } from '@kiln/client';
import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { usageError } from '../cli-error.js';
import { writeVariants } from '../output/variants-table.js';
import { variantsOf } from '../wait-reporting.js';

/** `kiln variants <pipeline> <run>`: a sweep's variants side by side. */
export function createVariantsCommand(env: CliEnvironment): Command {
  return new Command('variants')
    .description("compare the variants of a run's sweep: state, metric, parameters, the best")
    .argument('<pipeline>', 'pipeline name (through the gateway) or URL')
    .argument('<run>', 'the run that swept them')
    .action(async (pipelineArg: string, run: string, _options: unknown, command: Command) => {
      const context = cliContext(command, env);
      const { client, description } = await openContainer(context, pipelineArg);
      if (description.kind !== 'pipeline')
        throw usageError(`${pipelineArg} is a ${description.kind}, not a pipeline`);
      const variants = await variantsOf(client as PipelineClient, run);
      if (context.out.json) context.out.result(variants);
      else if (variants) writeVariants(context.out, variants);
      else context.out.line(`run ${run} has no variants`);
    });
}
