/**
 * True when every value in `wanted` equals (as JSON) the value under the same key in `actual`.
 * `actual` may hold more keys: a tool fills defaults in. Object key order does not matter.
 */
export function containsValues(
  actual: Record<string, unknown>,
  wanted: Record<string, unknown>,
): boolean {
  return Object.entries(wanted).every(
    ([key, value]) => canonical(actual[key]) === canonical(value),
  );
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
    ) ?? 'undefined'
  );
}
