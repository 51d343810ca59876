import {
  ARTIFACT_STATUSES,
  type ArtifactStatus,
  type ArtifactSummary,
  type ContainerInfo,
} from '@kiln/client';
import { Command, InvalidArgumentError } from 'commander';
import { cliContext, openContainer, pipelineClient, type CliContext } from '../cli-context.js';
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

/** One container in `kiln ls`: a pipeline, or a tool one or more pipelines use. */
interface ContainerRow {
  name: string;
  kind: 'tool' | 'pipeline';
  category: ContainerInfo['category'] | null;
  artifactType: string | null;
  description: string;
  /** Null for pipelines (the gateway reaches them; they report no health of their own here). */
  healthy: boolean | null;
  pipelines: string[];
}

async function listContainers(context: CliContext): Promise<void> {
  const pipelines = await context.kiln.pipelines();
  const rows = new Map<string, ContainerRow>();
  for (const pipeline of pipelines) {
    rows.set(pipeline.name, {
      name: pipeline.name,
      kind: 'pipeline',
      category: null,
      artifactType: null,
      description: pipeline.task.description,
      healthy: null,
      pipelines: [],
    });
    const containers = await pipelineClient(context, pipeline.name).containers();
    for (const info of containers) {
      const row = rows.get(info.name);
      if (row) row.pipelines.push(pipeline.name);
      else
        rows.set(info.name, {
          name: info.name,
          kind: 'tool',
          category: info.category,
          description: info.description,
          artifactType: info.artifactType,
          healthy: info.healthy,
          pipelines: [pipeline.name],
        });
    }
  }
  // Pipelines first, then their tools in the order the pipelines list them.
  const list = [...rows.values()].sort(
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
      row.kind === 'pipeline' ? 'pipeline' : `tool (${row.category ?? '?'})`,
      row.artifactType ?? 'runs',
      row.healthy === null ? '-' : row.healthy ? 'yes' : 'NO',
      row.pipelines.join(',') || '-',
    ]),
    'no pipelines behind this gateway',
  );
}
