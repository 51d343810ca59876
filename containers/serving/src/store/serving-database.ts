import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The serving container's SQLite schema. Versions, aliases and their history are the registry;
 * `predictions` keeps every prediction (input, output, version, time), so that feedback can
 * later name a prediction by its id alone.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS models (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
  model TEXT NOT NULL REFERENCES models(name),
  version INTEGER NOT NULL,
  artifact TEXT NOT NULL,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  digest TEXT,
  figures TEXT,
  signature TEXT,
  evaluation TEXT,
  source TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (model, version)
);
CREATE TABLE IF NOT EXISTS aliases (
  model TEXT NOT NULL REFERENCES models(name),
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (model, alias)
);
CREATE TABLE IF NOT EXISTS alias_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER,
  previous INTEGER,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alias_history_model ON alias_history (model, seq);
CREATE TABLE IF NOT EXISTS predictions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  label INTEGER NOT NULL,
  confidence REAL NOT NULL,
  probabilities BLOB NOT NULL,
  input BLOB NOT NULL,
  height INTEGER NOT NULL,
  width INTEGER NOT NULL,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS predictions_model ON predictions (model, seq);
`;

/** The database file in a serving container's data folder. */
const SERVING_DATABASE_FILE = 'serving.db';

/**
 * Opens (creating if needed) the serving database in `dataDir`. WAL with `synchronous=NORMAL`:
 * a committed transaction survives the process being killed, and a commit costs no fsync.
 */
export function openServingDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, SERVING_DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  return db;
}
