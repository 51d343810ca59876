import {
  ARTIFACT_STATUSES,
  type ArtifactStatus,
  type ArtifactSummary,
  type ContainerListing,
} from '@kiln/client';
import { Command, InvalidArgumentError } from 'commander';
import { cliContext, openContainer, type CliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { usageError } from '../cli-error.js';
import { describeState, formatTime } from '../output/format.js';

/** Parses `--status`, refusing states the API does not know. */
export function parseStatus(value: string): ArtifactStatus {
  if (!(ARTIFACT_STATUSES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${ARTIFACT_STATUSES.join(', ')}`);
  return value as ArtifactStatus;
}

/** Rows of an artifact listing. */
export function artifactRows(summaries: readonly ArtifactSummary[]): string[][] {
  return summaries.map((s) => [s.name, describeState(s), formatTime(s.createdAt)]);
}

/** `kiln ls [container]`: the containers behind the gateway, or the artifacts (runs) of one. */
export function createLsCommand(env: CliEnvironment): Command {
  return new Command('ls')
    .description(
      'list the containers behind the gateway, or the artifacts of one (the runs of a pipeline)',
    )
    .argument('[container]', 'container name (through the gateway) or URL')
    .option('-s, --status <status>', 'only artifacts in this state', parseStatus)
    .action(
      async (
        container: string | undefined,
        options: { status?: ArtifactStatus },
        command: Command,
      ) => {
        const context = cliContext(command, env);
        if (container === undefined) {
          if (options.status) throw usageError('--status needs a container');
          await listContainers(context);
          return;
        }
        const { client, label } = await openContainer(context, container);
        const summaries = await client.list(options.status ? { status: options.status } : {});
        if (context.out.json) context.out.result(summaries);
        else
          context.out.table(
            ['NAME', 'STATE', 'CREATED'],
            artifactRows(summaries),
            `no ${client.collection} on ${label}`,
          );
      },
    );
}

/**
 * `kiln ls`: every container of the project, as the dashboard lists them behind the gateway
 * (`GET /containers/`): pipelines first, then tools, a tool no pipeline uses included.
 */
async function listContainers(context: CliContext): Promise<void> {
  const containers = await context.kiln.containers();
  const list = [...containers].sort(
    (a, b) => Number(b.kind === 'pipeline') - Number(a.kind === 'pipeline'),
  );
  if (context.out.json) {
    context.out.result(list);
    return;
  }
  context.out.table(
    ['NAME', 'KIND', 'MAKES', 'HEALTHY', 'USED BY'],
    list.map((row) => [
      row.name,
      kindOf(row),
      row.artifactType || '-',
      row.healthy ? 'yes' : 'NO',
      row.pipelines.join(',') || '-',
    ]),
    'no containers behind this gateway',
  );
}

function kindOf(row: ContainerListing): string {
  if (row.kind === null) return 'not answering';
  return row.category ? `${row.kind} (${row.category})` : row.kind;
}
