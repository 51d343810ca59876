import { ErrorCode, KilnError } from '@kiln/api';

/** A schema name Kiln accepts: a plain lower-case PostgreSQL identifier. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

function refuse(message: string): KilnError {
  return new KilnError(ErrorCode.InvalidOption, message);
}

/**
 * A PostgreSQL connection URL from a flag or environment variable (`source` names it in the
 * error): `postgres://user:password@host:5432/database`, or `postgresql://…`.
 */
export function parseDatabaseUrl(text: string, source: string): string {
  const url = URL.canParse(text.trim()) ? new URL(text.trim()) : null;
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname) {
    throw refuse(
      `${source} must be a PostgreSQL URL such as postgres://user:password@host:5432/database, got '${redactUrl(text)}'`,
    );
  }
  return text.trim();
}

/** A schema name from a flag or environment variable. */
export function parseDatabaseSchema(text: string, source: string): string {
  const name = text.trim();
  if (!SCHEMA_NAME.test(name)) {
    throw refuse(
      `${source} must be a lower-case identifier (a-z, 0-9, _; at most 48 characters, not starting with a digit), got '${name}'`,
    );
  }
  return name;
}

/**
 * The schema a tool's tables live in unless one is given: `kiln_` and the tool's name, so that
 * the containers of a project can share one database, each in its own schema.
 */
export function defaultDatabaseSchema(toolName: string): string {
  const stem = toolName
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 43);
  return `kiln_${stem}`;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(text: string): string {
  if (!URL.canParse(text)) return text.replace(/:[^:@/]*@/, ':***@');
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}
