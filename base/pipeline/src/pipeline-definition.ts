import type { ContainerCategory, JsonSchema, RunFigures, TaskDescription } from '@kiln/api';
import type { StepResult } from './run/step-result.js';

/** One container a pipeline calls, as the pipeline module declares it. */
export interface ContainerSpec {
  /** `data`, `model` or `benchmark` (API.md, `GET /containers`). */
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

/** Per-step choices of `p.step(container, parameters, options)`. */
export interface StepOptions {
  /**
   * The step's name in the run (and in its artifact's name). Calling the same container again
   * without one gives `<container>-2`, `<container>-3`, …
   * @defaultValue the container's name
   */
  step?: string;
  /**
   * Reuse a completed artifact with the same inputs.
   * @defaultValue the run's `cache` parameter (true unless the run says otherwise)
   */
  cache?: boolean;
}

/** The parameters every pipeline run takes, whatever its own schema says. */
export interface BaseRunParameters {
  /** Reuse completed step artifacts with the same inputs. @defaultValue true */
  cache: boolean;
}

/**
 * What `run(p)` receives: the run's parameters and `p.step(...)` to call containers in order.
 * `run` is ordinary TypeScript: it may branch on a step's result, loop, or compute between steps.
 */
export interface PipelineContext<P = Record<string, unknown>> {
  /** The run's name (the pipeline container's artifact name). */
  readonly name: string;
  /** 1 on the first attempt; more when a restart of the pipeline container resumed the run. */
  readonly attempt: number;
  /** The run's parameters, validated, defaults filled in. */
  readonly parameters: P & BaseRunParameters;
  /** Aborted when the run is cancelled; `p.step` then cancels the running step. */
  readonly signal: AbortSignal;
  /** The steps so far, in order. */
  readonly steps: readonly StepResult[];
  /** Appends a line to the run's log. */
  log(...args: unknown[]): void;
  /**
   * Creates the step's artifact on `container` (cached unless told otherwise), waits for it,
   * copies its log into the run's log and returns it. A `StepResult` among the parameters is
   * sent as its artifact URL (a `kiln-artifact` reference). A failed step throws, failing the run.
   */
  step(
    container: string,
    parameters?: Record<string, unknown>,
    options?: StepOptions,
  ): Promise<StepResult>;
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
  /** How many steps a run usually takes, so progress can be a fraction of the whole. */
  expectedSteps?: number;
  options?: PipelineRuntimeOptions;
  /** The run: calls `p.step` in order and returns the headline figures. */
  run(p: PipelineContext<P>): Promise<RunFigures | void>;
}
