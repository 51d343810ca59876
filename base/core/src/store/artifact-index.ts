import type {
  ArtifactStatus,
  ArtifactSummary,
  DataFileEntry,
  InputArtifactRef,
  InputFileEntry,
} from '@kiln/api';
import Database from 'better-sqlite3';

/** One row of the index: the summary plus what the server needs to schedule and cache. */
export interface IndexedArtifact extends ArtifactSummary {
  cacheKey: string | null;
  digest: string | null;
  callback: string | null;
  callbackState: CallbackState | null;
  inputs: InputArtifactRef[];
}

export const CallbackState = {
  Pending: 'pending',
  Delivered: 'delivered',
  Abandoned: 'abandoned',
} as const;
export type CallbackState = (typeof CallbackState)[keyof typeof CallbackState];

/** The fields a state change may set. */
export type ArtifactPatch = Partial<
  Pick<
    IndexedArtifact,
    | 'status'
    | 'startedAt'
    | 'finishedAt'
    | 'progress'
    | 'message'
    | 'error'
    | 'attempt'
    | 'digest'
    | 'callbackState'
    | 'cached'
    | 'cachedFrom'
  >
>;

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
  ready INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS artifacts_status ON artifacts (status, seq);
CREATE INDEX IF NOT EXISTS artifacts_cache ON artifacts (cache_key, status);
`;

/** The columns of an `IndexedArtifact` (parameters and files are read only where needed). */
const ROW_COLUMNS = `name, status, created_at, started_at, finished_at, progress, message, error, attempt, cached,
  cached_from, cache_key, digest, callback, callback_state, inputs`;

/** One summary as a JSON object, in docs/api.md's field order. */
const SUMMARY_JSON = `json_object('name', name, 'status', status, 'createdAt', created_at, 'startedAt', started_at,
  'finishedAt', finished_at, 'progress', progress, 'message', message, 'error', error, 'attempt', attempt,
  'cached', json(CASE cached WHEN 1 THEN 'true' ELSE 'false' END), 'cachedFrom', cached_from)`;

const COLUMNS: Record<keyof ArtifactPatch, string> = {
  status: 'status',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  progress: 'progress',
  message: 'message',
  error: 'error',
  attempt: 'attempt',
  digest: 'digest',
  callbackState: 'callback_state',
  cached: 'cached',
  cachedFrom: 'cached_from',
};

interface Row {
  name: string;
  status: ArtifactStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  progress: number;
  message: string | null;
  error: string | null;
  attempt: number;
  cached: number;
  cached_from: string | null;
  cache_key: string | null;
  digest: string | null;
  callback: string | null;
  callback_state: CallbackState | null;
  inputs: string;
}

function toArtifact(row: Row): IndexedArtifact {
  return {
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    progress: row.progress,
    message: row.message,
    error: row.error,
    attempt: row.attempt,
    cached: row.cached === 1,
    cachedFrom: row.cached_from,
    cacheKey: row.cache_key,
    digest: row.digest,
    callback: row.callback,
    callbackState: row.callback_state,
    inputs: JSON.parse(row.inputs) as InputArtifactRef[],
  };
}

/** The summary of docs/api.md from an index row (drops the server-side fields). */
export function toSummary(artifact: IndexedArtifact): ArtifactSummary {
  return {
    name: artifact.name,
    status: artifact.status,
    createdAt: artifact.createdAt,
    startedAt: artifact.startedAt,
    finishedAt: artifact.finishedAt,
    progress: artifact.progress,
    message: artifact.message,
    error: artifact.error,
    attempt: artifact.attempt,
    cached: artifact.cached,
    cachedFrom: artifact.cachedFrom,
  };
}

/**
 * The SQLite index and queue beside the artifact folders: listing 10,000 artifacts reads one
 * table, never 10,000 folders. The queue is the `queued` rows in creation order.
 */
export class ArtifactIndex {
  readonly #db: Database.Database;
  readonly #statements;
  /** Built listings, cleared by every write: listings are read far more often than rows change. */
  readonly #listCache = new Map<string, string>();

  constructor(path: string) {
    this.#db = new Database(path);
    // WAL with NORMAL sync: each commit survives a crash of the process; a power cut may lose
    // the last commits but never corrupts the file.
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#addMissingColumns();
    this.#statements = {
      insert: this.#db.prepare(
        `INSERT INTO artifacts (name, status, created_at, started_at, finished_at, progress, message,
           attempt, cached, cached_from, cache_key, digest, callback, callback_state, inputs, parameters,
           input_files, files, ready)
         VALUES (@name, @status, @createdAt, @startedAt, @finishedAt, @progress, @message, @attempt,
           @cached, @cachedFrom, @cacheKey, @digest, @callback, @callbackState, @inputs, @parameters,
           @inputFiles, @files, @ready)`,
      ),
      get: this.#db.prepare(`SELECT ${ROW_COLUMNS} FROM artifacts WHERE name = ?`),
      listByStatus: this.#db.prepare(
        `SELECT ${ROW_COLUMNS} FROM artifacts WHERE status = ? ORDER BY seq DESC`,
      ),
      listJsonAll: this.#db
        .prepare(`SELECT json_group_array(${SUMMARY_JSON} ORDER BY seq DESC) FROM artifacts`)
        .pluck(),
      listJsonByStatus: this.#db
        .prepare(
          `SELECT json_group_array(${SUMMARY_JSON} ORDER BY seq DESC) FROM artifacts WHERE status = ?`,
        )
        .pluck(),
      buildInputs: this.#db.prepare('SELECT parameters, input_files FROM artifacts WHERE name = ?'),
      files: this.#db.prepare('SELECT files FROM artifacts WHERE name = ?').pluck(),
      setFiles: this.#db.prepare('UPDATE artifacts SET files = ? WHERE name = ?'),
      nextQueued: this.#db.prepare(
        `SELECT ${ROW_COLUMNS} FROM artifacts WHERE status = 'queued' AND ready = 1 ORDER BY seq LIMIT 1`,
      ),
      markReady: this.#db.prepare('UPDATE artifacts SET ready = 1 WHERE name = ?'),
      unready: this.#db.prepare('SELECT name FROM artifacts WHERE ready = 0').pluck(),
      count: this.#db.prepare('SELECT status, COUNT(*) AS n FROM artifacts GROUP BY status'),
      cacheHit: this.#db.prepare(
        `SELECT ${ROW_COLUMNS} FROM artifacts WHERE cache_key = ? AND status = 'completed' AND cached = 0 ORDER BY seq DESC LIMIT 1`,
      ),
      remove: this.#db.prepare('DELETE FROM artifacts WHERE name = ?'),
      names: this.#db.prepare('SELECT name FROM artifacts'),
      pendingCallbacks: this.#db.prepare(
        `SELECT ${ROW_COLUMNS} FROM artifacts WHERE callback_state = 'pending'`,
      ),
    };
  }

  /**
   * Inserts a row; the UNIQUE name makes this the lock that turns a race for a name into one
   * winner. A row inserted with `ready: false` is not built until `markReady` (its input files
   * are still being moved in). Returns false when the name is taken.
   */
  insert(
    artifact: IndexedArtifact,
    extra: { parameters: unknown; inputFiles: unknown; files?: unknown; ready?: boolean },
  ): boolean {
    this.#listCache.clear();
    try {
      this.#statements.insert.run({
        ...artifact,
        cached: artifact.cached ? 1 : 0,
        inputs: JSON.stringify(artifact.inputs),
        parameters: JSON.stringify(extra.parameters),
        inputFiles: JSON.stringify(extra.inputFiles),
        files: JSON.stringify(extra.files ?? []),
        ready: extra.ready === false ? 0 : 1,
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw error;
    }
  }

  markReady(name: string): void {
    this.#listCache.clear();
    this.#statements.markReady.run(name);
  }

  /** Rows whose create never finished (the process died while moving their input files). */
  unreadyNames(): string[] {
    return this.#statements.unready.all() as string[];
  }

  /**
   * The listing as JSON text built by SQLite itself: 10,000 summaries never become 10,000
   * JavaScript objects on the way to the response.
   */
  listJson(status?: ArtifactStatus): string {
    const key = status ?? '*';
    let json = this.#listCache.get(key);
    if (json === undefined) {
      json = (
        status ? this.#statements.listJsonByStatus.get(status) : this.#statements.listJsonAll.get()
      ) as string;
      // Two listings at most (about 2.5 MB each at 10,000 artifacts): the full one and the last filter.
      if (this.#listCache.size >= 2)
        this.#listCache.delete([...this.#listCache.keys()].find((k) => k !== '*')!);
      this.#listCache.set(key, json);
    }
    return json;
  }

  /** The validated parameters and input files, as stored at create time. */
  buildInputs(
    name: string,
  ): { parameters: Record<string, unknown>; inputFiles: InputFileEntry[] } | null {
    const row = this.#statements.buildInputs.get(name) as
      { parameters: string; input_files: string } | undefined;
    return row
      ? { parameters: JSON.parse(row.parameters), inputFiles: JSON.parse(row.input_files) }
      : null;
  }

  /** The data files recorded when the build completed. */
  files(name: string): DataFileEntry[] {
    const text = this.#statements.files.get(name) as string | undefined;
    return text ? (JSON.parse(text) as DataFileEntry[]) : [];
  }

  setFiles(name: string, files: readonly DataFileEntry[]): void {
    this.#statements.setFiles.run(JSON.stringify(files), name);
  }

  get(name: string): IndexedArtifact | null {
    const row = this.#statements.get.get(name) as Row | undefined;
    return row ? toArtifact(row) : null;
  }

  /** The rows of one status, newest first. */
  list(status: ArtifactStatus): IndexedArtifact[] {
    return (this.#statements.listByStatus.all(status) as Row[]).map(toArtifact);
  }

  nextQueued(): IndexedArtifact | null {
    const row = this.#statements.nextQueued.get() as Row | undefined;
    return row ? toArtifact(row) : null;
  }

  findCompletedByCacheKey(cacheKey: string): IndexedArtifact | null {
    const row = this.#statements.cacheHit.get(cacheKey) as Row | undefined;
    return row ? toArtifact(row) : null;
  }

  countByStatus(): Partial<Record<ArtifactStatus, number>> {
    const counts: Partial<Record<ArtifactStatus, number>> = {};
    for (const row of this.#statements.count.all() as { status: ArtifactStatus; n: number }[])
      counts[row.status] = row.n;
    return counts;
  }

  withPendingCallbacks(): IndexedArtifact[] {
    return (this.#statements.pendingCallbacks.all() as Row[]).map(toArtifact);
  }

  allNames(): Set<string> {
    return new Set((this.#statements.names.all() as { name: string }[]).map((row) => row.name));
  }

  /** Applies a patch; with `onlyIf`, only while the row still has that status. Returns whether it applied. */
  update(name: string, patch: ArtifactPatch, onlyIf?: ArtifactStatus): boolean {
    const keys = Object.keys(patch) as (keyof ArtifactPatch)[];
    if (keys.length === 0) return false;
    this.#listCache.clear();
    const assignments = keys.map((key) => `${COLUMNS[key]} = @${key}`).join(', ');
    const guard = onlyIf ? ' AND status = @onlyIf' : '';
    const values: Record<string, unknown> = { ...patch };
    if (typeof patch.cached === 'boolean') values['cached'] = patch.cached ? 1 : 0;
    const result = this.#prepared(
      `UPDATE artifacts SET ${assignments} WHERE name = @name${guard}`,
    ).run({
      ...values,
      name,
      onlyIf: onlyIf ?? null,
    });
    return result.changes > 0;
  }

  remove(name: string): void {
    this.#listCache.clear();
    this.#statements.remove.run(name);
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Brings an index made by an older Kiln up to date: every column the schema has and the table
   * lacks is added with its default.
   */
  #addMissingColumns(): void {
    const present = new Set(
      (this.#db.prepare('PRAGMA table_info(artifacts)').all() as { name: string }[]).map(
        (c) => c.name,
      ),
    );
    const wanted = /CREATE TABLE IF NOT EXISTS artifacts \(([\s\S]*?)\n\);/
      .exec(SCHEMA)![1]!
      .split(',\n')
      .map((line) => line.trim());
    for (const definition of wanted) {
      const column = definition.split(' ')[0]!;
      if (!present.has(column)) this.#db.exec(`ALTER TABLE artifacts ADD COLUMN ${definition}`);
    }
  }

  readonly #cache = new Map<string, Database.Statement>();
  #prepared(sql: string): Database.Statement {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}
