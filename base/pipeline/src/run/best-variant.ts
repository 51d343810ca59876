import { VariantGoal, type VariantResult } from '@kiln/api';

/**
 * The best completed variant by `metric`: the highest value for `max`, the lowest for `min`.
 * Only finite numbers count; on a tie the variant given first wins. Null when no completed
 * variant reported the metric as a number.
 */
export function bestVariant(
  results: readonly VariantResult[],
  metric: string,
  goal: VariantGoal,
): string | null {
  let best: { name: string; value: number } | null = null;
  for (const result of results) {
    if (result.status !== 'completed') continue;
    const value = result.figures?.[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const better =
      goal === VariantGoal.Min
        ? value < (best?.value ?? Infinity)
        : value > (best?.value ?? -Infinity);
    if (best === null || better) best = { name: result.name, value };
  }
  return best?.name ?? null;
}
