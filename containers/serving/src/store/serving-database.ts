import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The serving container's SQLite schema. Versions, aliases and their history are the registry;
 * `predictions` keeps every prediction (input, output, version, time), so that feedback names a
 * prediction by its id alone. `feedback` keeps every label with its own copy of the input (a
 * prediction may be pruned, a label never is); `retrains` the retraining runs, whose labels are
 * those `feedback.retrain` names; `policies` each model's retraining policy. `meta` holds this
 * database's own token, which the names of its retraining runs carry.
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
CREATE TABLE IF NOT EXISTS feedback (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  prediction_id TEXT UNIQUE,
  version INTEGER,
  predicted INTEGER,
  label INTEGER NOT NULL,
  input BLOB NOT NULL,
  height INTEGER NOT NULL,
  width INTEGER NOT NULL,
  held_out INTEGER NOT NULL,
  retrain INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_model ON feedback (model, seq);
CREATE INDEX IF NOT EXISTS feedback_version ON feedback (model, version);
CREATE TABLE IF NOT EXISTS policies (
  model TEXT PRIMARY KEY,
  policy TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS retrains (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  run TEXT NOT NULL UNIQUE,
  snapshot_name TEXT NOT NULL UNIQUE,
  through INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  labels INTEGER NOT NULL,
  trained INTEGER NOT NULL,
  snapshot TEXT,
  version INTEGER,
  verdict TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS retrains_in_flight ON retrains (model)
  WHERE status IN ('snapshotting', 'running', 'gating');
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** The database file in a serving container's data folder. */
export const SERVING_DATABASE_FILE = 'serving.db';

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

/**
 * This database's token: six hex digits drawn when it was created. Retraining runs carry it in
 * their names, so a serving container started afresh (a new data folder) never takes a run an
 * earlier one started for its own.
 */
export function databaseToken(db: Database.Database): string {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
    'token',
    randomBytes(3).toString('hex'),
  );
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get('token') as { value: string })
    .value;
}
