import type { StepResult } from './run/step-result.js';

/** Per-step choices of `p.step(container, parameters, options)`. */
export interface StepOptions {
  /**
   * The step's name in the run (and in its artifact's name). Calling the same container again
   * without one gives `<container>-2`, `<container>-3`, … in the order the calls were made. Steps
   * started from different branches after an `await` may start in another order when a resumed
   * run replays them: name those.
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
 * What a run and each variant of a sweep have in common: the run's parameters, and `step` to
 * call a container. Steps may run at once: `await Promise.all([p.step(…), p.step(…)])`.
 */
export interface StepContext<P = Record<string, unknown>> {
  /** The run's name (the pipeline container's artifact name). */
  readonly name: string;
  /** 1 on the first attempt; more when a restart of the pipeline container resumed the run. */
  readonly attempt: number;
  /** The run's parameters, validated, defaults filled in. */
  readonly parameters: P & BaseRunParameters;
  /**
   * Aborted when the run is cancelled (or, in a variant, when the variant has ended); `step`
   * then cancels the steps it is running.
   */
  readonly signal: AbortSignal;
  /** The steps completed so far (in a variant: its own), in the order they completed. */
  readonly steps: readonly StepResult[];
  /** Appends a line to the run's log (in a variant: prefixed with `[<variant>]`). */
  log(...args: unknown[]): void;
  /**
   * Creates the step's artifact on `container` (cached unless told otherwise), waits for it,
   * copies its log into the run's log (each line prefixed with `[<step>]`) and returns it. A
   * `StepResult` among the parameters is sent as its artifact URL (a `kiln-artifact` reference).
   * A failed step throws; steps still running when the run (or variant) ends are cancelled.
   */
  step(
    container: string,
    parameters?: Record<string, unknown>,
    options?: StepOptions,
  ): Promise<StepResult>;
}
