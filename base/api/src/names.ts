/** Every artifact, run, container and pipeline name matches this pattern (docs/api.md, Conventions). */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * True when `name` is a valid Kiln name. Dot segments (`.`, `..`) never match because a name
 * must start with a letter or digit.
 */
export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}
