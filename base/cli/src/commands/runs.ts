import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { usageError } from '../cli-error.js';
import { formatTime } from '../output/format.js';
import { writeVariants } from '../output/variants-table.js';
import { variantsOf } from '../wait-reporting.js';
import type { PipelineClient, ArtifactStatus } from '@kiln/client';
import { artifactRows, parseStatus } from './ls.js';

/**
 * `kiln runs <pipeline> [run]`: the runs of a pipeline, or the steps of one run (and, for a run
 * that swept variants, the variants side by side).
 */
export function createRunsCommand(env: CliEnvironment): Command {
  return new Command('runs')
    .description('list the runs of a pipeline, or the steps of one run')
    .argument('<pipeline>', 'pipeline name (through the gateway) or URL')
    .argument('[run]', 'a run: show its steps (and its variants, if it swept any)')
    .option('-s, --status <status>', 'only runs in this state', parseStatus)
    .action(
      async (
        pipelineArg: string,
        run: string | undefined,
        options: { status?: ArtifactStatus },
        command: Command,
      ) => {
        const context = cliContext(command, env);
        const { client, description, label } = await openContainer(context, pipelineArg);
        if (description.kind !== 'pipeline')
          throw usageError(`${pipelineArg} is a ${description.kind}, not a pipeline (use kiln ls)`);
        const pipeline = client as PipelineClient;
        if (run === undefined) {
          const runs = await pipeline.runs(options.status ? { status: options.status } : {});
          if (context.out.json) context.out.result(runs);
          else
            context.out.table(
              ['RUN', 'STATE', 'CREATED'],
              artifactRows(runs),
              `no runs on ${label}`,
            );
          return;
        }
        if (options.status) throw usageError('--status lists runs; leave out the run name');
        const [steps, variants] = await Promise.all([
          pipeline.steps(run),
          variantsOf(pipeline, run),
        ]);
        if (context.out.json) {
          context.out.result(steps);
          return;
        }
        const rows = steps.map((s) => [
          s.step,
          `${s.container}/${s.artifact}`,
          s.cached ? `${s.status} (cached)` : s.status,
          formatTime(s.startedAt),
          formatTime(s.finishedAt),
        ]);
        context.out.table(
          ['STEP', 'ARTIFACT', 'STATE', 'STARTED', 'FINISHED'],
          rows,
          `run ${run} has no steps yet`,
        );
        if (!variants) return;
        context.out.line('');
        writeVariants(context.out, variants);
      },
    );
}
