import type { ContainerCategory, JsonSchema, RunFigures, TaskDescription } from '@kiln/api';
import type { BaseRunParameters, StepContext } from './step-context.js';
import type { SweepOptions, SweepResult, Variant, VariantBody } from './sweep-definition.js';

/** One container a pipeline calls, as the pipeline module declares it. */
export interface ContainerSpec {
  /** `data`, `model` or `benchmark` (docs/api.md, `GET /containers`). */
  category: ContainerCategory;
  /**
   * The container's base URL, for a container that is not a service of the project's
   * `docker-compose.yml`. Compose URLs (`http://<service>:8080`) are resolved through the
   * topology the container was given, so they work under `kiln up`, Docker and Kubernetes.
   * @defaultValue `http://<name>:8080`: the compose service of that name
   */
  url?: string;
  /** Shown by `GET /containers` while the container does not answer. @defaultValue '' */
  description?: string;
}

/** A container with its URL settled. */
export interface ResolvedContainer {
  name: string;
  /** In compose form for a service of the project (`http://import:8080`). */
  url: string;
  category: ContainerCategory;
  description: string;
}

/** How the pipeline talks to its containers. */
export interface PipelineRuntimeOptions {
  /**
   * Seconds each status long-poll (`?wait=`) holds while a step runs; every answer mirrors the
   * step's progress into the run, so this is also how often progress moves.
   * @defaultValue 2
   */
  pollWaitSeconds?: number;
  /**
   * How long one ordinary request to a container may take.
   * @defaultValue 30000
   */
  requestTimeoutMs?: number;
  /**
   * How long a step keeps retrying a container that does not answer (it may be restarting)
   * before the run fails with the client's error (`CONNECTION_FAILED`, or the container's 502/503).
   * @defaultValue 120000
   */
  unreachableGraceMs?: number;
  /**
   * How long `GET /containers` and `GET /artifacts` wait for each container.
   * @defaultValue 2000
   */
  probeTimeoutMs?: number;
}

export type ResolvedPipelineRuntimeOptions = Required<PipelineRuntimeOptions>;

/**
 * What `run(p)` receives: the run's parameters, `p.step(...)` to call containers, and
 * `p.sweep(...)` to fan out variants. `run` is ordinary TypeScript: it may branch on a step's
 * result, loop, compute between steps, or run independent steps at once (`Promise.all`).
 */
export interface PipelineContext<P = Record<string, unknown>> extends StepContext<P> {
  /**
   * Runs `body` once per variant, all at once (each container's queue, and its workers, take
   * them in turn), and compares them by `options.metric`. A variant that fails does not fail
   * the others: the sweep returns once every variant has ended, and throws only when every
   * variant failed (or the run was cancelled). The run's data gets a `variants` section, live
   * in `GET /runs/{name}/variants` meanwhile. A run sweeps at most once.
   *
   * @example
   * ```ts
   * const sweep = await p.sweep(p.parameters.variants, async (v, vp) => {
   *   const model = await vp.step('train', { dataset: split, learningRate: v.learningRate });
   *   const scores = await vp.step('benchmark', { model, dataset: tensors });
   *   return { accuracy: (await scores.report<{ accuracy: number }>('summary')).accuracy };
   * }, { metric: 'accuracy' });
   * return { ...sweep.best?.figures, variant: sweep.best?.variant.name };
   * ```
   */
  sweep<V extends Variant>(
    variants: readonly V[],
    body: VariantBody<P, V>,
    options: SweepOptions,
  ): Promise<SweepResult<V>>;
}

/** What a pipeline module declares: `export default definePipeline({...})`. */
export interface PipelineDefinition<P = Record<string, unknown>> {
  /** The pipeline container's name, e.g. `fashion-mnist`. */
  name: string;
  /** Part of the runs' cache key. @defaultValue '1.0.0' */
  version?: string;
  description: string;
  /** The eight fields of `GET /task`; `name` in reverse-domain notation. */
  task: TaskDescription;
  /**
   * Each container the pipeline calls, by the name `p.step` uses: the name of its service in
   * `docker-compose.yml`. Where each one listens comes from the project's topology.
   */
  containers: Record<string, ContainerSpec>;
  /** JSON Schema 2020-12 (type object) of the run's parameters; `cache` is added when absent. */
  parameters?: JsonSchema;
  /**
   * How many steps a run usually takes, so progress can be a fraction of the whole; a function
   * of the run's parameters when that depends on them (the number of variants of a sweep).
   * Progress never moves back, even when a run takes more steps than expected.
   * @defaultValue 1
   */
  expectedSteps?: number | ((parameters: P & BaseRunParameters) => number);
  options?: PipelineRuntimeOptions;
  /** The run: calls `p.step` (and `p.sweep`) and returns the headline figures. */
  run(p: PipelineContext<P>): Promise<RunFigures | void>;
}
