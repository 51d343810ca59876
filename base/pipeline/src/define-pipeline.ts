import {
  Collection,
  ContainerCategory,
  ContainerKind,
  isValidName,
  type JsonSchema,
  type RunDocument,
  type RunFigures,
  type TaskDescription,
} from '@kiln/api';
import { Kiln, type ToolClient } from '@kiln/client';
import { defineTool, type BuildContext, type ToolDefinition } from '@kiln/core';
import { gatewayPath, serviceUrl } from '@kiln/topology';
import type {
  PipelineDefinition,
  ResolvedContainer,
  ResolvedPipelineRuntimeOptions,
} from './pipeline-definition.js';
import type { BaseRunParameters } from './step-context.js';
import { pipelineRoutes } from './routes/pipeline-routes.js';
import { PipelineRun } from './run/pipeline-run.js';
import { FIGURES_REPORT, writeRunDocument } from './run/run-document.js';

const TASK_FIELDS = [
  'name',
  'description',
  'output',
  'constraints',
  'archives',
  'evaluation_criterias',
  'cost_function',
  'evaluation_dataset',
] as const satisfies readonly (keyof TaskDescription)[];

/** `org.kiln.fashion-mnist`: at least two dot-separated labels. */
const REVERSE_DOMAIN = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/i;

const CATEGORIES: readonly string[] = Object.values(ContainerCategory);

const CACHE_PARAMETER = {
  type: 'boolean',
  default: true,
  description:
    'Reuse completed step artifacts made with the same inputs (each step is created with cache: true).',
} as const;

/**
 * Declares a pipeline container. The result is a tool definition whose artifacts are runs
 * (`kind: 'pipeline'`, served under `/runs`): each run is built by the container's mule, so
 * it gets the queue, status, cancellation, log and crash recovery of `@kiln/core`. Its steps
 * reach the containers through `@kiln/client`, by their compose names resolved through the
 * topology the container was given (`kiln serve` reads it from `KILN_COMPOSE_FILE`).
 *
 * @example
 * ```ts
 * export default definePipeline({
 *   name: 'greetings', description: 'Greets, then counts',
 *   task: { name: 'org.example.greetings', ... },
 *   containers: { greet: { category: 'data' }, count: { category: 'benchmark' } },
 *   async run(p) {
 *     const text = await p.step('greet', { who: 'world' });
 *     const count = await p.step('count', { text });
 *     return { letters: (await count.json<{ letters: number }>('count.json')).letters };
 *   },
 * });
 * ```
 */
export function definePipeline<P = Record<string, unknown>>(
  definition: PipelineDefinition<P>,
): ToolDefinition<P & BaseRunParameters> {
  checkTask(definition.task);
  const containers = resolveContainers(definition);
  const options = resolveRuntimeOptions(definition);
  const version = definition.version ?? '1.0.0';
  // Made on the first run, in the mule, and kept: the server process never builds.
  let clients: Map<string, ToolClient> | undefined;
  return defineTool<P & BaseRunParameters>({
    name: definition.name,
    version,
    description: definition.description,
    artifactType: 'run',
    kind: ContainerKind.Pipeline,
    collection: Collection.Runs,
    parameters: withCacheParameter(definition.parameters),
    inputFiles: [],
    routes: (_router, hook) => pipelineRoutes({ task: definition.task, containers, options }, hook),
    async build(ctx: BuildContext<P & BaseRunParameters>) {
      clients ??= stepClients(containers, ctx, options);
      const run = new PipelineRun<P>(ctx, clients, options, expectedSteps(definition, ctx));
      ctx.log(
        `run '${ctx.name}' of pipeline '${definition.name}' ${version}, attempt ${ctx.attempt}`,
      );
      let figures: RunFigures;
      try {
        figures = (await definition.run(run)) ?? {};
      } finally {
        await run.finish();
      }
      const variants = run.variants;
      const document: RunDocument = {
        run: ctx.name,
        pipeline: definition.name,
        version,
        task: definition.task.name,
        parameters: ctx.parameters as Record<string, unknown>,
        steps: [...run.stepInfos],
        artifacts: Object.fromEntries(run.steps.map((step) => [step.step, step.url])),
        links: Object.fromEntries(
          run.steps.map((step) => [step.step, gatewayPath(step.url) ?? step.url]),
        ),
        figures,
        ...(variants ? { variants } : {}),
      };
      await writeRunDocument(ctx.outputDir, document);
      ctx.report(FIGURES_REPORT, figures);
      ctx.progress(1, run.finalMessage());
    },
  });
}

/** How many steps this run is expected to take. */
function expectedSteps<P>(
  definition: Pick<PipelineDefinition<P>, 'expectedSteps'>,
  ctx: Pick<BuildContext<P & BaseRunParameters>, 'parameters'>,
): number {
  const expected = definition.expectedSteps;
  const count = typeof expected === 'function' ? expected(ctx.parameters) : (expected ?? 1);
  return Number.isFinite(count) && count >= 1 ? count : 1;
}

/** One SDK client per container, reaching it through the build's topology. */
function stepClients(
  containers: readonly ResolvedContainer[],
  ctx: Pick<BuildContext, 'topology'>,
  options: ResolvedPipelineRuntimeOptions,
): Map<string, ToolClient> {
  return new Map(
    containers.map((c) => [
      c.name,
      Kiln.direct(c.url, { topology: ctx.topology, timeout: options.requestTimeoutMs }).container(),
    ]),
  );
}

function checkTask(task: TaskDescription): void {
  const missing = TASK_FIELDS.filter((field) => typeof task?.[field] !== 'string');
  if (missing.length > 0) throw new TypeError(`task: ${missing.join(', ')} must be strings`);
  if (!REVERSE_DOMAIN.test(task.name)) {
    throw new TypeError(
      `task name '${task.name}' must be in reverse-domain notation (org.example.task)`,
    );
  }
}

/** Each container's URL: the spec's `url`, else the compose service of the same name. */
export function resolveContainers(
  definition: Pick<PipelineDefinition, 'containers'>,
): ResolvedContainer[] {
  return Object.entries(definition.containers).map(([name, spec]) => {
    if (!isValidName(name)) throw new TypeError(`'${name}' is not a valid container name`);
    if (!CATEGORIES.includes(spec.category)) {
      throw new TypeError(`container '${name}': category must be one of ${CATEGORIES.join(', ')}`);
    }
    const url = spec.url ?? serviceUrl(name);
    if (!isHttpUrl(url)) throw new TypeError(`container '${name}': '${url}' is not an http(s) URL`);
    return {
      name,
      url: url.replace(/\/+$/, ''),
      category: spec.category,
      description: spec.description ?? '',
    };
  });
}

function resolveRuntimeOptions(
  definition: Pick<PipelineDefinition, 'options'>,
): ResolvedPipelineRuntimeOptions {
  const given = definition.options ?? {};
  const resolved: ResolvedPipelineRuntimeOptions = {
    pollWaitSeconds: given.pollWaitSeconds ?? 2,
    requestTimeoutMs: given.requestTimeoutMs ?? 30_000,
    unreachableGraceMs: given.unreachableGraceMs ?? 120_000,
    probeTimeoutMs: given.probeTimeoutMs ?? 2_000,
  };
  if (!(resolved.pollWaitSeconds > 0 && resolved.pollWaitSeconds <= 60)) {
    throw new TypeError('options.pollWaitSeconds must be in (0, 60]');
  }
  return resolved;
}

function withCacheParameter(schema: JsonSchema | undefined): JsonSchema {
  const base: JsonSchema = schema ?? { type: 'object', properties: {} };
  const properties = (base['properties'] ?? {}) as Record<string, unknown>;
  if (Object.hasOwn(properties, 'cache')) return base;
  return { ...base, properties: { ...properties, cache: CACHE_PARAMETER } };
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}
