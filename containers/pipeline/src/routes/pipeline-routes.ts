import {
  ARTIFACT_STATUSES,
  ErrorCode,
  KilnError,
  isFinalStatus,
  isValidName,
  type ArtifactStatus,
  type ContainerArtifactSummary,
  type ContainerInfo,
  type StepInfo,
  type TaskDescription,
} from '@kiln/api';
import type { ServerHookContext, ToolDefinition } from '@kiln/core';
import { ContainerClient } from '../client/container-client.js';
import type { ResolvedContainer, ResolvedPipelineRuntimeOptions } from '../pipeline-definition.js';
import { STEPS_REPORT } from '../run/step-ledger.js';

type HookRouter = Parameters<NonNullable<ToolDefinition['routes']>>[0];

/** What the pipeline's extra routes serve. */
export interface PipelineRoutesOptions {
  task: TaskDescription;
  containers: readonly ResolvedContainer[];
  options: ResolvedPipelineRuntimeOptions;
}

/**
 * The routes a pipeline container serves beside the artifact API of its runs (API.md, Pipeline
 * container): `/task`, `/containers`, `/artifacts` and `/runs/{name}/steps`.
 */
export function createPipelineRoutes(
  options: PipelineRoutesOptions,
): (router: HookRouter, ctx: ServerHookContext) => void {
  const clients = options.containers.map(
    (c) =>
      [
        c,
        new ContainerClient(c.name, c.url, { timeoutMs: options.options.probeTimeoutMs }),
      ] as const,
  );
  const probe = (): AbortSignal => AbortSignal.timeout(options.options.probeTimeoutMs);

  return (router, ctx) => {
    router
      .route('/task')
      .get((_req, res) => {
        res.json(options.task);
      })
      .all(methodNotAllowed);

    router
      .route('/containers')
      .get(async (_req, res) => {
        res.json(
          await Promise.all(
            clients.map(([container, client]) => describeContainer(container, client, probe())),
          ),
        );
      })
      .all(methodNotAllowed);

    router
      .route('/artifacts')
      .get(async (req, res) => {
        const status = statusFilter(req.query['status']);
        const lists = await Promise.all(
          clients.map(async ([container, client]): Promise<ContainerArtifactSummary[]> => {
            try {
              const summaries = await client.list(status, probe());
              return summaries.map((summary) => ({ ...summary, container: container.name }));
            } catch (error) {
              ctx.logger.warn('container left out of /artifacts', {
                container: container.name,
                error: String(error),
              });
              return [];
            }
          }),
        );
        res.json(
          lists
            .flat()
            .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)),
        );
      })
      .all(methodNotAllowed);

    router
      .route(`${ctx.collectionPath}/:name/steps`)
      .get(async (req, res) => {
        const name = req.params['name'];
        if (!isValidName(name))
          throw new KilnError(ErrorCode.InvalidName, `'${String(name)}' is not a valid name`, {
            status: 400,
          });
        const run = await ctx.getSummary(name);
        if (!run)
          throw new KilnError(ErrorCode.ArtifactNotFound, `no run named '${name}'`, {
            status: 404,
          });
        const steps = ((await ctx.readReport(name, STEPS_REPORT)) as StepInfo[] | null) ?? [];
        res.json(isFinalStatus(run.status) ? steps : await refreshSteps(steps, clients, probe));
      })
      .all(methodNotAllowed);
  };
}

/** One `/containers` entry: its description and health, asked concurrently with a short timeout. */
async function describeContainer(
  container: ResolvedContainer,
  client: ContainerClient,
  signal: AbortSignal,
): Promise<ContainerInfo> {
  const [description, health] = await Promise.allSettled([
    client.describe(signal),
    client.health(signal),
  ]);
  const described = description.status === 'fulfilled' ? description.value : null;
  return {
    name: container.name,
    url: container.url,
    category: container.category,
    description: described?.description ?? container.description,
    artifactType: described?.artifactType ?? '',
    healthy: health.status === 'fulfilled' && health.value.healthy,
  };
}

/** A running run's steps with the live status of those not final yet (the ledger may lag). */
async function refreshSteps(
  steps: StepInfo[],
  clients: readonly (readonly [ResolvedContainer, ContainerClient])[],
  probe: () => AbortSignal,
): Promise<StepInfo[]> {
  return Promise.all(
    steps.map(async (step) => {
      const client = clients.find(([container]) => container.name === step.container)?.[1];
      if (!client || isFinalStatus(step.status)) return step;
      try {
        const live = await client.status(step.artifact, 0, probe());
        return {
          ...step,
          status: live.status,
          cached: live.cached,
          startedAt: live.startedAt,
          finishedAt: live.finishedAt,
        };
      } catch {
        return step;
      }
    }),
  );
}

function statusFilter(value: unknown): ArtifactStatus | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (ARTIFACT_STATUSES as readonly string[]).includes(value)) {
    return value as ArtifactStatus;
  }
  throw new KilnError(
    ErrorCode.InvalidQuery,
    `status must be one of ${ARTIFACT_STATUSES.join(', ')}`,
    { status: 400 },
  );
}

function methodNotAllowed(
  _req: unknown,
  res: { set(field: string, value: string): unknown },
): never {
  res.set('Allow', 'GET, HEAD');
  throw new KilnError(ErrorCode.MethodNotAllowed, 'this route only answers GET', { status: 405 });
}
