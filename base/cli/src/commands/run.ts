import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { usageError } from '../cli-error.js';
import { describeState } from '../output/format.js';
import { variantsLine } from '../output/variants-table.js';
import { reportFinal, waitForRun } from '../wait-reporting.js';
import {
  createFromOptions,
  reportCreated,
  withParameterOptions,
  type CreateCliOptions,
} from './create.js';
import type { PipelineClient } from '@kiln/client';

/** `kiln run <pipeline> [name]`: starts a run, optionally following its steps to the end. */
export function createRunCommand(env: CliEnvironment): Command {
  return withParameterOptions(
    new Command('run')
      .description('start a run of a pipeline (prints its name); --wait follows it step by step')
      .argument('<pipeline>', 'pipeline name (through the gateway) or URL')
      .argument('[name]', 'run name (the pipeline picks one if left out)'),
  ).action(
    async (
      pipelineArg: string,
      name: string | undefined,
      options: CreateCliOptions,
      command: Command,
    ) => {
      const context = cliContext(command, env);
      if (options.timeout !== undefined && !options.wait)
        throw usageError('--timeout needs --wait');
      const { client, description, label: where } = await openContainer(context, pipelineArg);
      if (description.kind !== 'pipeline')
        throw usageError(
          `${pipelineArg} is a ${description.kind}, not a pipeline (use kiln create)`,
        );
      const created = await createFromOptions(context, client, description, where, name, options);
      if (!options.wait) {
        reportCreated(context, created);
        return;
      }
      const label = `${where}/${created.name}`;
      if (context.out.progress && !context.out.bars)
        context.out.progressLine(`${label}: started (${describeState(created)})`);
      const { run, steps, variants } = await waitForRun(
        context,
        client as PipelineClient,
        pipelineArg,
        created.name,
        label,
        options.timeout,
      );
      if (variants && context.out.progress)
        context.out.progressLine(`${label}: ${variantsLine(variants)}`);
      reportFinal(context, label, run, run.name, { run, steps, ...(variants ? { variants } : {}) });
    },
  );
}
