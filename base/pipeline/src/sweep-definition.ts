import type { RunFigures, RunVariants, VariantGoal } from '@kiln/api';
import type { StepContext } from './step-context.js';

/** One variant of a sweep: a name, and whatever sets it apart (`hiddenUnits`, `learningRate`, …). */
export interface Variant {
  /**
   * Its name: a Kiln name that is not only digits, unique in the sweep. Each of its steps is
   * named `<step>-<variant>` (`train-wide`), so a resumed run finds them again.
   */
  readonly name: string;
}

/** How a sweep compares its variants. */
export interface SweepOptions {
  /** The figure the variants are compared by: the task's metric (`accuracy`). */
  metric: string;
  /**
   * Whether the highest or the lowest value of `metric` is best.
   * @defaultValue 'max'
   */
  goal?: VariantGoal;
}

/**
 * What a variant's body receives: the run's `step`, `log` and parameters, scoped to the variant.
 * Its steps are named `<step>-<variant>` and carry the variant in `GET /runs/{name}/steps`; its
 * log lines are prefixed with `[<variant>]`; its `signal` also aborts once the variant has ended,
 * so a step it left running is cancelled.
 */
export interface VariantContext<
  P = Record<string, unknown>,
  V extends Variant = Variant,
> extends StepContext<P> {
  /** The variant this body runs. */
  readonly variant: V;
}

/** A variant's sub-graph: its steps, then the figures it is compared by. */
export type VariantBody<P, V extends Variant> = (
  variant: V,
  p: VariantContext<P, V>,
) => Promise<RunFigures>;

/** How one variant ended. */
export interface VariantOutcome<V extends Variant = Variant> {
  variant: V;
  /** `completed` or `failed` (a cancelled run throws instead of returning). */
  status: 'completed' | 'failed';
  /** What its body returned; null when it failed. */
  figures: RunFigures | null;
  /** Why it failed; null when it completed. */
  error: string | null;
}

/** What `p.sweep` returns once every variant has ended and at least one completed. */
export interface SweepResult<V extends Variant = Variant> {
  /** The best completed variant by the sweep's metric; null when none reported it as a number. */
  best: VariantOutcome<V> | null;
  /** Every variant, in the order given. */
  outcomes: VariantOutcome<V>[];
  /** The variants that failed, in order. */
  failed: VariantOutcome<V>[];
  /** The section the run's data (`run.json`) carries as `variants`. */
  section: RunVariants;
}
