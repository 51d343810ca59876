import type { BaseRunParameters, StepOptions } from '../step-context.js';
import type { Variant, VariantContext } from '../sweep-definition.js';
import { StepGroup } from './step-group.js';
import type { StepScope, SweepHost, VariantRecorder } from './step-scope.js';
import type { StepResult } from './step-result.js';

/**
 * The `p` a variant's body receives: the run's `step` and `log`, scoped to the variant. Its
 * steps are named `<step>-<variant>` and recorded on the sweep's board as they start.
 */
export class VariantRun<P, V extends Variant> implements VariantContext<P, V> {
  readonly variant: V;
  readonly #host: SweepHost<P>;
  readonly #scope: StepScope;

  constructor(host: SweepHost<P>, variant: V, board: VariantRecorder) {
    this.variant = variant;
    this.#host = host;
    this.#scope = {
      variant: variant.name,
      group: new StepGroup(host.signal),
      given: new Set(),
      results: [],
      onStep: (given, step, url) => board.addStep(variant.name, given, step, url),
    };
  }

  get name(): string {
    return this.#host.name;
  }

  get attempt(): number {
    return this.#host.attempt;
  }

  get parameters(): P & BaseRunParameters {
    return this.#host.parameters;
  }

  get signal(): AbortSignal {
    return this.#scope.group.signal;
  }

  get steps(): readonly StepResult[] {
    return this.#scope.results;
  }

  log(...args: unknown[]): void {
    this.#host.log(`[${this.variant.name}]`, ...args);
  }

  step(
    container: string,
    parameters: Record<string, unknown> = {},
    options: StepOptions = {},
  ): Promise<StepResult> {
    return this.#host.stepIn(this.#scope, container, parameters, options);
  }

  /** Cancels the steps the variant left running, and waits for them. */
  close(): Promise<void> {
    return this.#scope.group.close(`variant '${this.variant.name}' has ended`);
  }
}
