import { ErrorCode, KilnError, type Logger } from '@kiln/api';
import pg from 'pg';
import { redactUrl } from './database-url.js';
import { isConnectionError, translateError } from './postgres-errors.js';
import { migrate, quoteIdentifier, SchemaTooNewError } from './postgres-schema.js';

/** How to reach the database. */
export interface PostgresDatabaseOptions {
  url: string;
  /** The schema of this container's tables (made if missing). */
  schema: string;
  logger: Logger;
  /** Connections in the pool. @defaultValue 16 */
  poolSize?: number;
}

/** A connection not made within this long is an unreachable database (a 503, not a hang). */
const CONNECT_TIMEOUT_MS = 5_000;
/** A query the server has not answered within this long fails (a lost network, not a slow query). */
const QUERY_TIMEOUT_MS = 30_000;

/**
 * The PostgreSQL database of a container in cluster mode: a pool of connections and the schema
 * its tables live in. Every query goes through `query`, which turns a lost or refused connection
 * into the 503 `DATABASE_UNAVAILABLE`; the pool makes new connections by itself once the server
 * is back.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;
  /** The schema, quoted, to prefix table names with. */
  readonly s: string;
  readonly schema: string;
  readonly url: string;
  readonly #logger: Logger;

  private constructor(options: PostgresDatabaseOptions) {
    this.url = options.url;
    this.schema = options.schema;
    this.s = quoteIdentifier(options.schema);
    this.#logger = options.logger;
    this.pool = new pg.Pool({
      ...PostgresDatabase.connectionConfig(options.url),
      max: options.poolSize ?? 16,
    });
    // An idle connection that breaks (the server restarted) is dropped by the pool; without a
    // listener its error would end the process.
    this.pool.on('error', (error) =>
      this.#logger.warn('a database connection was lost', { error: error.message }),
    );
  }

  /** The settings of every connection to `url`, the pool's and the listener's. */
  static connectionConfig(url: string): pg.ClientConfig {
    return {
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'kiln',
    };
  }

  /**
   * Connects, and makes or upgrades the schema. Rejects with one readable message naming the
   * database (its password left out) and what went wrong.
   */
  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const database = new PostgresDatabase(options);
    try {
      const client = await database.pool.connect();
      try {
        const before = await migrate(client, options.schema);
        if (before === 0)
          options.logger.info('made the database schema', { schema: options.schema });
      } finally {
        client.release();
      }
      return database;
    } catch (error) {
      await database.pool.end().catch(() => undefined);
      throw database.#openError(error);
    }
  }

  /** Runs a query; a connection that cannot be had or is lost becomes a 503. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw translateError(error);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  #openError(error: unknown): KilnError {
    const where = redactUrl(this.url);
    const reason = describeError(error);
    if (error instanceof SchemaTooNewError)
      return new KilnError(ErrorCode.InvalidOption, `${where}: ${reason}`, { cause: error });
    const code = isConnectionError(error) ? ErrorCode.DatabaseUnavailable : ErrorCode.InvalidOption;
    return new KilnError(code, `cannot open the database ${where}: ${reason}`, {
      status: 503,
      cause: error,
    });
  }
}

/** An error's message; a failed connect to a name with several addresses is an AggregateError. */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0)
    return [...new Set(error.errors.map((inner: unknown) => describeError(inner)))].join('; ');
  return error instanceof Error && error.message ? error.message : String(error);
}
