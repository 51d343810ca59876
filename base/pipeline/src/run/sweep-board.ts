import type { RunFigures, RunVariants, VariantGoal, VariantResult } from '@kiln/api';
import { gatewayPath } from '@kiln/topology';
import { bestVariant } from './best-variant.js';

/** The report holding a run's variants (`GET /runs/{name}/variants` reads it). */
export const VARIANTS_REPORT = 'variants';

/**
 * The variants of a run's sweep as the run's data and `GET /runs/{name}/variants` show them.
 * Every change is written through `persist` (the run's `variants` report, a file), so the
 * comparison can be read, and drawn, while the sweep runs.
 */
export class SweepBoard {
  readonly #metric: string;
  readonly #goal: VariantGoal;
  readonly #results: VariantResult[];
  readonly #persist: (section: RunVariants) => void;

  constructor(
    variants: readonly { name: string }[],
    options: { metric: string; goal: VariantGoal },
    persist: (section: RunVariants) => void,
  ) {
    this.#metric = options.metric;
    this.#goal = options.goal;
    this.#persist = persist;
    const startedAt = new Date().toISOString();
    this.#results = variants.map(({ name, ...parameters }) => ({
      name,
      parameters: JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>,
      status: 'in-progress',
      error: null,
      figures: null,
      steps: {},
      artifacts: {},
      links: {},
      startedAt,
      finishedAt: null,
    }));
    this.#save();
  }

  /** The section as it stands. */
  get section(): RunVariants {
    return {
      metric: this.#metric,
      goal: this.#goal,
      best: bestVariant(this.#results, this.#metric, this.#goal),
      failed: this.#results.filter((r) => r.status === 'failed').map((r) => r.name),
      results: this.#results.map((result) => ({ ...result })),
    };
  }

  /** A variant started a step: `given` is its name in the variant, `step` its name in the run. */
  addStep(variant: string, given: string, step: string, url: string): void {
    const result = this.#result(variant);
    result.steps = { ...result.steps, [given]: step };
    result.artifacts = { ...result.artifacts, [given]: url };
    result.links = { ...result.links, [given]: gatewayPath(url) ?? url };
    this.#save();
  }

  complete(variant: string, figures: RunFigures): void {
    this.#end(variant, { status: 'completed', figures, error: null });
  }

  fail(variant: string, error: string): void {
    this.#end(variant, { status: 'failed', figures: null, error });
  }

  cancel(variant: string): void {
    this.#end(variant, { status: 'cancelled', figures: null, error: 'the run was cancelled' });
  }

  #end(variant: string, outcome: Pick<VariantResult, 'status' | 'figures' | 'error'>): void {
    Object.assign(this.#result(variant), outcome, { finishedAt: new Date().toISOString() });
    this.#save();
  }

  #result(variant: string): VariantResult {
    const result = this.#results.find((r) => r.name === variant);
    if (!result) throw new RangeError(`no variant named '${variant}'`);
    return result;
  }

  #save(): void {
    this.#persist(this.section);
  }
}
