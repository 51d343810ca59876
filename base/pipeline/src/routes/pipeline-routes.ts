import {
  ARTIFACT_STATUSES,
  ErrorCode,
  KilnError,
  isFinalStatus,
  isValidName,
  type ArtifactStatus,
  type ArtifactSummary,
  type ContainerArtifactSummary,
  type RunVariants,
  type StepInfo,
  type TaskDescription,
} from '@kiln/api';
import type { RouteSpec, ServerHookContext } from '@kiln/core';
import type { ResolvedContainer, ResolvedPipelineRuntimeOptions } from '../pipeline-definition.js';
import { STEPS_REPORT } from '../run/step-ledger.js';
import { VARIANTS_REPORT } from '../run/sweep-board.js';
import { ContainerProbe } from './container-probe.js';
import {
  CONTAINER_INFO_SCHEMA,
  RUN_VARIANTS_SCHEMA,
  STEP_INFO_SCHEMA,
  TASK_SCHEMA,
} from './route-schemas.js';

/** What the pipeline's own routes serve. */
export interface PipelineRoutesOptions {
  task: TaskDescription;
  containers: readonly ResolvedContainer[];
  options: ResolvedPipelineRuntimeOptions;
}

/**
 * The routes a pipeline container serves beside the artifact API of its runs (docs/api.md,
 * Pipeline container): `/task`, `/containers`, `/artifacts`, `/runs/{name}/steps` and (an extension)
 * `/runs/{name}/variants`, as core's `RouteSpec`s, so they answer 405 to other methods and are
 * described in `/openapi.json`.
 */
export function pipelineRoutes(
  options: PipelineRoutesOptions,
  ctx: ServerHookContext,
): RouteSpec[] {
  const probe = new ContainerProbe(options.containers, ctx.topology, options.options);
  return [
    taskRoute(options.task),
    containersRoute(probe),
    artifactsRoute(probe, ctx),
    stepsRoute(probe, ctx),
    variantsRoute(ctx),
  ];
}

/** `GET /task`. */
function taskRoute(task: TaskDescription): RouteSpec {
  return {
    method: 'get',
    path: '/task',
    operationId: 'task',
    summary: 'The task this pipeline solves (reverse-domain name and seven more fields)',
    responses: { '200': 'the task' },
    content: { 'application/json': TASK_SCHEMA },
    handler: (_req, res) => {
      res.json(task);
    },
  };
}

/** `GET /containers`. */
function containersRoute(probe: ContainerProbe): RouteSpec {
  return {
    method: 'get',
    path: '/containers',
    operationId: 'containers',
    summary: "The containers the pipeline calls, with each one's description and health",
    responses: { '200': 'one entry per container, asked concurrently with a short timeout' },
    content: { 'application/json': { type: 'array', items: CONTAINER_INFO_SCHEMA } },
    handler: async (_req, res) => {
      res.json(await probe.describeAll());
    },
  };
}

/** `GET /artifacts`: every container's artifacts; one that does not answer is left out. */
function artifactsRoute(probe: ContainerProbe, ctx: ServerHookContext): RouteSpec {
  return {
    method: 'get',
    path: '/artifacts',
    operationId: 'artifactsOfContainers',
    summary: 'Every artifact of every container of the pipeline, newest first, with its container',
    query: [
      {
        name: 'status',
        description: 'only artifacts in this state',
        schema: { enum: [...ARTIFACT_STATUSES] },
      },
    ],
    responses: { '200': 'the summaries', '400': 'an unknown status' },
    content: { 'application/json': { type: 'array', items: CONTAINER_ARTIFACT_SCHEMA } },
    handler: async (req, res) => {
      const lists = await probe.listAll(statusFilter(req.query['status']), (container, error) =>
        ctx.logger.warn('container left out of /artifacts', { container, error: String(error) }),
      );
      res.json(newestFirst(lists.flat()));
    },
  };
}

/** `GET /runs/{name}/steps`: the ledger, with the live state of steps not final yet. */
function stepsRoute(probe: ContainerProbe, ctx: ServerHookContext): RouteSpec {
  return {
    method: 'get',
    path: `${ctx.collectionPath}/{name}/steps`,
    operationId: 'runSteps',
    summary: "A run's steps: each one's container, artifact, URL and state",
    responses: { '200': 'the steps, in order', '400': 'a bad name', '404': 'no such run' },
    content: { 'application/json': { type: 'array', items: STEP_INFO_SCHEMA } },
    handler: async (req, res) => {
      const { name, run } = await findRun(req.params['name'], ctx);
      const steps = ((await ctx.readReport(name, STEPS_REPORT)) as StepInfo[] | null) ?? [];
      res.json(isFinalStatus(run.status) ? steps : await probe.refreshSteps(steps));
    },
  };
}

/** `GET /runs/{name}/variants`: the sweep's variants side by side, live; null without a sweep. */
function variantsRoute(ctx: ServerHookContext): RouteSpec {
  return {
    method: 'get',
    path: `${ctx.collectionPath}/{name}/variants`,
    operationId: 'runVariants',
    summary: "A run's sweep: each variant's parameters, state, figures and artifacts, and the best",
    responses: {
      '200': 'the variants (null when the run has swept none yet)',
      '400': 'a bad name',
      '404': 'no such run',
    },
    content: { 'application/json': RUN_VARIANTS_SCHEMA },
    handler: async (req, res) => {
      const { name } = await findRun(req.params['name'], ctx);
      res.json(((await ctx.readReport(name, VARIANTS_REPORT)) as RunVariants | null) ?? null);
    },
  };
}

/** The run a route names: 400 for a bad name, 404 when there is none. */
async function findRun(
  name: unknown,
  ctx: ServerHookContext,
): Promise<{ name: string; run: ArtifactSummary }> {
  if (typeof name !== 'string' || !isValidName(name))
    throw new KilnError(ErrorCode.InvalidName, `'${String(name)}' is not a valid name`, {
      status: 400,
    });
  const run = await ctx.getSummary(name);
  if (!run)
    throw new KilnError(ErrorCode.ArtifactNotFound, `no run named '${name}'`, { status: 404 });
  return { name, run };
}

const CONTAINER_ARTIFACT_SCHEMA = {
  allOf: [
    { $ref: '#/components/schemas/ArtifactSummary' },
    { type: 'object', required: ['container'], properties: { container: { type: 'string' } } },
  ],
};

function newestFirst(summaries: ContainerArtifactSummary[]): ContainerArtifactSummary[] {
  return summaries.sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
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
