/**
 * Whether a parsed JSON value nests arrays and objects more than `limit` levels deep (the value
 * itself is level 1). Iterative, so that a body nested 200,000 levels deep (which `JSON.parse`
 * accepts) is measured without the recursion that would overflow the stack: validation,
 * `structuredClone` and `JSON.stringify` all recurse.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The JSON Pointer of the first number in `value` that is not finite, or null. JSON has no
 * Infinity, but `JSON.parse('1e400')` gives one, which a schema's `type: integer` accepts and
 * which would be stored as `null`.
 */
export function firstNonFinite(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, pointer] = next;
    if (typeof item === 'number' && !Number.isFinite(item)) return pointer;
    if (item === null || typeof item !== 'object') continue;
    const entries = Array.isArray(item)
      ? item.map((child, i) => [String(i), child])
      : Object.entries(item);
    for (const [key, child] of entries.reverse())
      stack.push([child, `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
  return null;
}
