import { VariantGoal, type RunVariants, type VariantResult } from '@kiln/client';
import type { Output } from './output.js';

/** A figure for a table: integers as they are, others to four significant digits. */
function formatFigure(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (value === null || value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A variant's parameters as `--param` would take them: `hiddenUnits=[64] dropout=0.1`. */
function formatParameters(parameters: Record<string, unknown>): string {
  const pairs = Object.entries(parameters).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return pairs.length > 0 ? pairs.join(' ') : '(the run’s own)';
}

function state(result: VariantResult, best: string | null): string {
  return result.name === best ? 'best' : result.status;
}

/**
 * A sweep side by side: one row per variant (its state, `best` for the best one, its metric and
 * its parameters), then which is best and why each failed variant failed.
 */
export function writeVariants(out: Output, section: RunVariants): void {
  const { metric, goal, best, results } = section;
  out.table(
    ['VARIANT', 'STATE', metric.toUpperCase(), 'PARAMETERS'],
    results.map((result) => [
      result.name,
      state(result, best),
      formatFigure(result.figures?.[metric]),
      formatParameters(result.parameters),
    ]),
    'no variants',
  );
  const direction = goal === VariantGoal.Max ? 'highest' : 'lowest';
  out.line(best ? `best by ${metric} (${direction}): ${best}` : `no best by ${metric} yet`);
  for (const result of results.filter((r) => r.status === 'failed'))
    out.line(`${result.name} failed: ${result.error ?? 'no reason given'}`);
}

/** One line for a sweep's end: the best variant and its figure, and which variants failed. */
export function variantsLine(section: RunVariants): string {
  const best = section.results.find((r) => r.name === section.best);
  const parts = [
    best
      ? `best variant ${best.name} (${section.metric} ${formatFigure(best.figures?.[section.metric])})`
      : `no best variant by ${section.metric}`,
  ];
  if (section.failed.length > 0) parts.push(`failed: ${section.failed.join(', ')}`);
  return parts.join('; ');
}
