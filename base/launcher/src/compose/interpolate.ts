import { LauncherError, LauncherErrorCode } from '../launcher-error.js';

/** Variables for interpolation, as `process.env` holds them. */
export type VariableSource = Readonly<Record<string, string | undefined>>;

const VARIABLE =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Compose's variable interpolation on one string: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or
 * empty), `${VAR-default}` (unset), `${VAR:?message}` / `${VAR?message}` (required),
 * `${VAR:+alt}` / `${VAR+alt}` (set), and `$$` for a literal `$`. Defaults may nest one level.
 */
export function interpolate(value: string, variables: VariableSource): string {
  return value.replace(
    VARIABLE,
    (_all, dollar?: string, braced?: string, operator?: string, word?: string, bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      const current = variables[name];
      const operand = interpolate(word ?? '', variables);
      switch (operator) {
        case undefined:
          return current ?? '';
        case ':-':
          return current ? current : operand;
        case '-':
          return current ?? operand;
        case ':+':
          return current ? operand : '';
        case '+':
          return current !== undefined ? operand : '';
        default: {
          const missing = operator === ':?' ? !current : current === undefined;
          if (missing) {
            throw new LauncherError(
              LauncherErrorCode.VariableRequired,
              `variable ${name} is required${operand ? `: ${operand}` : ''}`,
            );
          }
          return current!;
        }
      }
    },
  );
}

/** Interpolates every string in a parsed YAML document (keys stay as they are, as in Compose). */
export function interpolateDeep(value: unknown, variables: VariableSource): unknown {
  if (typeof value === 'string') return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, variables));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, variables)]),
    );
  }
  return value;
}
