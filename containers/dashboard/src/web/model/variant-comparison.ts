import type { MetricInfo, MetricPoint, RunVariants, StepInfo, VariantResult } from '@kiln/api';

/** Where one variant's step artifact lives, and the line it draws. */
export interface VariantLine {
  /** The variant's name: the line's label in the legend. */
  label: string;
  container: string;
  artifact: string;
}

/** One overlay chart: a series metric of one step, with a line per variant that has it. */
export interface OverlaySpec {
  /** The step's name in the variants (`train`). */
  step: string;
  metric: string;
  lines: VariantLine[];
}

/** A line with its points, as a chart draws it. */
export interface OverlayLine {
  label: string;
  points: MetricPoint[];
}

/** An overlay chart with its points fetched. */
export interface OverlayChart {
  step: string;
  metric: string;
  lines: OverlayLine[];
}

/**
 * The charts worth drawing: a series is a curve once one of its lines has two points or more
 * (a benchmark's single figure at step 0 is already in the table).
 */
export function curvesOnly(charts: readonly OverlayChart[]): OverlayChart[] {
  return charts.filter((chart) => chart.lines.some((line) => line.points.length >= 2));
}

/** Series drawn first when a step has them, in this order; the rest follow as listed. */
const FIRST_SERIES = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];

/**
 * The figures a comparison shows, the sweep's metric first: every figure that is a number in
 * some completed variant, and, when two or more completed, only those that differ between them
 * (a figure all variants share, such as the test set's size, tells them no apart).
 */
export function comparedFigures(section: RunVariants): string[] {
  const completed = section.results.filter((r) => r.status === 'completed' && r.figures);
  const names: string[] = [];
  for (const result of completed)
    for (const [name, value] of Object.entries(result.figures ?? {}))
      if (typeof value === 'number' && !names.includes(name)) names.push(name);
  const differing = names.filter(
    (name) => new Set(completed.map((r) => JSON.stringify(r.figures?.[name] ?? null))).size > 1,
  );
  const shown = completed.length >= 2 ? differing : names;
  return [section.metric, ...shown.filter((name) => name !== section.metric)];
}

/** A variant's parameters as `--param` takes them: `hiddenUnits=[64] dropout=0.1`. */
export function formatParameters(parameters: Record<string, unknown>): string {
  const pairs = Object.entries(parameters).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return pairs.length > 0 ? pairs.join(' ') : 'the run’s own';
}

/** The artifact of a variant's step (`train`), found among the run's steps. */
export function variantStep(
  result: VariantResult,
  given: string,
  steps: readonly StepInfo[],
): StepInfo | undefined {
  const name = result.steps[given];
  return steps.find((step) => step.step === name);
}

/**
 * The overlay charts of a sweep: for each step the variants share (`train`) and each series
 * metric of it (`loss`), one line per variant whose artifact has that series. `listings` holds
 * each variant's metric listing per step, as fetched (absent when it could not be read).
 */
export function overlaySpecs(
  section: RunVariants,
  steps: readonly StepInfo[],
  listings: ReadonlyMap<string, readonly MetricInfo[]>,
): OverlaySpec[] {
  const specs = new Map<string, OverlaySpec>();
  for (const result of section.results) {
    for (const given of Object.keys(result.steps)) {
      const step = variantStep(result, given, steps);
      const listing = step ? listings.get(step.step) : undefined;
      if (!step || !listing) continue;
      for (const metric of listing.filter((m) => m.kind === 'series')) {
        const key = `${given}/${metric.name}`;
        const spec = specs.get(key) ?? { step: given, metric: metric.name, lines: [] };
        spec.lines.push({ label: result.name, container: step.container, artifact: step.artifact });
        specs.set(key, spec);
      }
    }
  }
  const rank = (metric: string): number => {
    const index = FIRST_SERIES.indexOf(metric);
    return index < 0 ? FIRST_SERIES.length : index;
  };
  // Steps in the order variants name them; in a step, loss and accuracy first, then as listed.
  const stepOrder = [...new Set([...specs.values()].map((spec) => spec.step))];
  const listed = [...specs.values()];
  return [...listed].sort(
    (a, b) =>
      stepOrder.indexOf(a.step) - stepOrder.indexOf(b.step) ||
      rank(a.metric) - rank(b.metric) ||
      listed.indexOf(a) - listed.indexOf(b),
  );
}
