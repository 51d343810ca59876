import type pg from 'pg';

/**
 * The schema's versions, in order. Each step brings a database from the version before to its
 * own; a database made by an older Kiln is upgraded in place when a newer one starts on it. Add a
 * step for any change, never edit one that has shipped.
 */
const MIGRATIONS: readonly ((schema: string) => string)[] = [
  // 1: the index and queue, as the SQLite index has them since worker pools.
  (s) => `
    CREATE TABLE ${s}.artifacts (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL UNIQUE,
      status text NOT NULL,
      created_at text NOT NULL,
      started_at text,
      finished_at text,
      progress double precision NOT NULL DEFAULT 0,
      message text,
      error text,
      attempt integer NOT NULL DEFAULT 1,
      cached boolean NOT NULL DEFAULT false,
      cached_from text,
      cache_key text,
      digest text,
      callback text,
      callback_state text,
      inputs text NOT NULL DEFAULT '[]',
      parameters text NOT NULL DEFAULT '{}',
      input_files text NOT NULL DEFAULT '[]',
      files text NOT NULL DEFAULT '[]',
      ready boolean NOT NULL DEFAULT true,
      lease_owner text,
      lease_token integer NOT NULL DEFAULT 0,
      lease_expires_at timestamptz,
      gpu integer
    );
    CREATE INDEX artifacts_status ON ${s}.artifacts (status, seq);
    CREATE INDEX artifacts_cache ON ${s}.artifacts (cache_key, status);`,
  // 2: replicas that know of each other: who created a row, stop requests, callback claims.
  (s) => `
    ALTER TABLE ${s}.artifacts
      ADD COLUMN creator text,
      ADD COLUMN stop_requested text,
      ADD COLUMN callback_owner text,
      ADD COLUMN callback_until timestamptz;
    CREATE INDEX artifacts_unready ON ${s}.artifacts (seq) WHERE NOT ready;
    CREATE INDEX artifacts_callbacks ON ${s}.artifacts (seq) WHERE callback_state = 'pending';
    CREATE TABLE ${s}.replicas (
      id text PRIMARY KEY,
      host text NOT NULL,
      pid integer NOT NULL,
      started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      seen_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );`,
];

/** The version this Kiln makes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database whose schema is newer than this Kiln knows: it must not write there. */
export class SchemaTooNewError extends Error {}

/**
 * Creates the schema or brings it up to `upTo` (every version by default), in one transaction
 * under an advisory lock named after the schema: replicas starting together on an empty
 * database make it once, the others wait and find it made. Resolves with the version the
 * database had before.
 */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  upTo: number = SCHEMA_VERSION,
): Promise<number> {
  const s = quoteIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kiln-schema:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
        version integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${s}.schema_migrations`,
    );
    const before = rows[0]?.version ?? 0;
    if (before > SCHEMA_VERSION) {
      throw new SchemaTooNewError(
        `the database schema '${schema}' is at version ${before}, newer than this Kiln knows (${SCHEMA_VERSION}): upgrade Kiln`,
      );
    }
    for (let version = before + 1; version <= upTo; version += 1) {
      await client.query(MIGRATIONS[version - 1]!(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [version]);
    }
    await client.query('COMMIT');
    return before;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A PostgreSQL identifier in double quotes (names are checked before they get here). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
