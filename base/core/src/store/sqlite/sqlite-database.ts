import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS artifacts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  progress REAL NOT NULL DEFAULT 0,
  message TEXT,
  error TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  cached INTEGER NOT NULL DEFAULT 0,
  cached_from TEXT,
  cache_key TEXT,
  digest TEXT,
  callback TEXT,
  callback_state TEXT,
  inputs TEXT NOT NULL DEFAULT '[]',
  parameters TEXT NOT NULL DEFAULT '{}',
  input_files TEXT NOT NULL DEFAULT '[]',
  files TEXT NOT NULL DEFAULT '[]',
  ready INTEGER NOT NULL DEFAULT 1,
  lease_owner TEXT,
  lease_token INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  gpu INTEGER,
  stop_requested TEXT,
  callback_owner TEXT,
  callback_until INTEGER
);
CREATE INDEX IF NOT EXISTS artifacts_status ON artifacts (status, seq);
CREATE INDEX IF NOT EXISTS artifacts_cache ON artifacts (cache_key, status);
`;

/** How many built listings are kept: the full one and the last filtered one. */
const LISTINGS_KEPT = 2;

/**
 * The SQLite file of a data folder, shared by the index and the queue: one connection, its
 * prepared statements, and the listings built from it (cleared by every write, since listings
 * are read far more often than rows change).
 */
export class SqliteDatabase {
  readonly db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #listings = new Map<string, string>();

  constructor(path: string) {
    this.db = new Database(path);
    // WAL with NORMAL sync: each commit survives a crash of the process; a power cut may lose
    // the last commits but never corrupts the file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.#addMissingColumns();
  }

  /** A prepared statement, made once per SQL text. */
  prepared(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** A listing built before and still valid, or one built now by `build` and kept. */
  listing(key: string, build: () => string): string {
    let json = this.#listings.get(key);
    if (json === undefined) {
      json = build();
      // About 2.5 MB each at 10,000 artifacts: keep the full one and the last filter only.
      if (this.#listings.size >= LISTINGS_KEPT)
        this.#listings.delete([...this.#listings.keys()].find((k) => k !== '*')!);
      this.#listings.set(key, json);
    }
    return json;
  }

  /** Called by every write: the kept listings no longer hold. */
  changed(): void {
    this.#listings.clear();
  }

  close(): void {
    this.db.close();
  }

  /**
   * Brings an index made by an older Kiln up to date: every column the schema has and the table
   * lacks is added with its default (the lease columns and `gpu` came with worker pools, the stop and
   * callback claims with cluster mode).
   */
  #addMissingColumns(): void {
    const present = new Set(
      (this.db.prepare('PRAGMA table_info(artifacts)').all() as { name: string }[]).map(
        (c) => c.name,
      ),
    );
    const wanted = /CREATE TABLE IF NOT EXISTS artifacts \(([\s\S]*?)\n\);/
      .exec(SCHEMA)![1]!
      .split(',\n')
      .map((line) => line.trim());
    for (const definition of wanted) {
      const column = definition.split(' ')[0]!;
      if (!present.has(column)) this.db.exec(`ALTER TABLE artifacts ADD COLUMN ${definition}`);
    }
  }
}
