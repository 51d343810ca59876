import { ErrorCode, KilnError, VariantGoal, isValidName } from '@kiln/api';
import type {
  SweepOptions,
  SweepResult,
  Variant,
  VariantBody,
  VariantOutcome,
} from '../sweep-definition.js';
import type { SweepHost, VariantRecorder } from './step-scope.js';
import { VariantRun } from './variant-run.js';

const GOALS: readonly string[] = Object.values(VariantGoal);

/**
 * `p.sweep(variants, body, options)`: runs every variant's body at once, records each on the
 * run's board, and compares them. A variant that fails is recorded with its reason and leaves
 * the others running; the sweep throws only when every variant failed or the run was cancelled
 * (after cancelling every variant's running steps).
 */
export async function runSweep<P, V extends Variant>(
  host: SweepHost<P>,
  variants: readonly V[],
  body: VariantBody<P, V>,
  options: SweepOptions,
): Promise<SweepResult<V>> {
  checkVariants(variants);
  const metric = checkMetric(options);
  const goal = options.goal ?? VariantGoal.Max;
  const board = host.openBoard(variants, { metric, goal });
  host.log(
    `sweep of ${variants.length} ${variants.length === 1 ? 'variant' : 'variants'} ` +
      `(${variants.map((v) => v.name).join(', ')}), compared by ${metric} ` +
      `(${goal === VariantGoal.Max ? 'highest' : 'lowest'} is best)`,
  );
  const settled = await Promise.all(
    variants.map((variant) => runVariant(host, board, variant, body, metric)),
  );
  host.signal.throwIfAborted();
  const outcomes = settled.filter((outcome) => outcome !== undefined);
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  if (failed.length === outcomes.length) {
    throw new KilnError(
      ErrorCode.BuildFailed,
      `every variant of the sweep failed: ${failed.map((f) => `${f.variant.name}: ${f.error}`).join('; ')}`,
    );
  }
  const section = board.section;
  const best = outcomes.find((outcome) => outcome.variant.name === section.best) ?? null;
  host.log(summaryLine(outcomes, failed, best, metric));
  return { best, outcomes, failed, section };
}

/** Runs one variant to its end; undefined when the run was cancelled meanwhile. */
async function runVariant<P, V extends Variant>(
  host: SweepHost<P>,
  board: VariantRecorder,
  variant: V,
  body: VariantBody<P, V>,
  metric: string,
): Promise<VariantOutcome<V> | undefined> {
  const context = new VariantRun(host, variant, board);
  let outcome: VariantOutcome<V>;
  try {
    const figures = (await body(variant, context)) ?? {};
    outcome = { variant, status: 'completed', figures, error: null };
  } catch (error) {
    outcome = { variant, status: 'failed', figures: null, error: messageOf(error) };
  }
  // Steps the body left running (a sibling step failed under Promise.all) end with it.
  await context.close();
  // A variant that completed just as the run was cancelled keeps its result.
  if (host.signal.aborted && outcome.status === 'failed') {
    board.cancel(variant.name);
    return undefined;
  }
  if (outcome.status === 'completed') {
    board.complete(variant.name, outcome.figures ?? {});
    context.log(`completed: ${metric} ${String(outcome.figures?.[metric] ?? 'not reported')}`);
  } else {
    board.fail(variant.name, outcome.error ?? 'no reason given');
    context.log(`failed: ${outcome.error}`);
  }
  return outcome;
}

function summaryLine<V extends Variant>(
  outcomes: readonly VariantOutcome<V>[],
  failed: readonly VariantOutcome<V>[],
  best: VariantOutcome<V> | null,
  metric: string,
): string {
  const completed = outcomes.length - failed.length;
  const parts = [`sweep: ${completed} of ${outcomes.length} variants completed`];
  parts.push(
    best
      ? `best by ${metric}: ${best.variant.name} (${String(best.figures?.[metric])})`
      : `no variant reported ${metric} as a number`,
  );
  if (failed.length > 0) parts.push(`failed: ${failed.map((f) => f.variant.name).join(', ')}`);
  return parts.join('; ');
}

/** Names a sweep can use: Kiln names, unique, not only digits (`train-2` numbers repeats). */
function checkVariants(variants: readonly Variant[]): void {
  if (!Array.isArray(variants) || variants.length === 0)
    throw invalid('a sweep needs at least one variant');
  const seen = new Set<string>();
  variants.forEach((variant, i) => {
    const name: unknown = (variant as Partial<Variant> | null)?.name;
    if (typeof name !== 'string' || !isValidName(name) || /^\d+$/.test(name)) {
      throw invalid(
        `variant ${i + 1}: '${String(name)}' is not a variant name ` +
          "(letters, digits, '.', '_' and '-', up to 128, not only digits)",
      );
    }
    if (seen.has(name)) throw invalid(`variant ${i + 1}: the name '${name}' is given twice`);
    seen.add(name);
  });
}

function checkMetric(options: SweepOptions): string {
  if (typeof options?.metric !== 'string' || options.metric.length === 0)
    throw new TypeError('sweep: options.metric must name a figure');
  if (options.goal !== undefined && !GOALS.includes(options.goal))
    throw new TypeError(`sweep: options.goal must be one of ${GOALS.join(', ')}`);
  return options.metric;
}

function invalid(message: string): KilnError {
  return new KilnError(ErrorCode.ValidationFailed, `variants: ${message}`, { status: 422 });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
