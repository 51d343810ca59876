import type { ArtifactStatus, DataFileEntry } from '@kiln/api';
import type { ArtifactIndex } from '../artifact-index.js';
import type { ArtifactPatch, BuildInputs, IndexedArtifact, RowPayload } from '../artifact-row.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { PATCH_COLUMNS, ROW_COLUMNS, toArtifact, type Row } from '../sql-row.js';
import { SUMMARY_JSON } from './sqlite-rows.js';

const INSERT = `INSERT INTO artifacts (name, status, created_at, started_at, finished_at, progress,
    message, attempt, cached, cached_from, cache_key, digest, callback, callback_state, inputs,
    parameters, input_files, files, ready, gpu)
  VALUES (@name, @status, @createdAt, @startedAt, @finishedAt, @progress, @message, @attempt,
    @cached, @cachedFrom, @cacheKey, @digest, @callback, @callbackState, @inputs, @parameters,
    @inputFiles, @files, @ready, @gpu)`;

/**
 * The index in the data folder's SQLite file: listing 10,000 artifacts reads one table, never
 * 10,000 folders. better-sqlite3 is synchronous; each call is microseconds, so the promises of
 * the interface resolve at once.
 */
export class SqliteArtifactIndex implements ArtifactIndex {
  readonly #sqlite: SqliteDatabase;

  constructor(sqlite: SqliteDatabase) {
    this.#sqlite = sqlite;
  }

  async insert(artifact: IndexedArtifact, payload: RowPayload): Promise<boolean> {
    this.#sqlite.changed();
    try {
      this.#sqlite.prepared(INSERT).run({
        ...artifact,
        cached: artifact.cached ? 1 : 0,
        inputs: JSON.stringify(artifact.inputs),
        parameters: JSON.stringify(payload.parameters),
        inputFiles: JSON.stringify(payload.inputFiles),
        files: JSON.stringify(payload.files ?? []),
        ready: payload.ready === false ? 0 : 1,
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw error;
    }
  }

  async markReady(name: string): Promise<void> {
    this.#sqlite.changed();
    this.#sqlite.prepared('UPDATE artifacts SET ready = 1 WHERE name = ?').run(name);
  }

  async unreadyNames(): Promise<string[]> {
    return this.#sqlite
      .prepared('SELECT name FROM artifacts WHERE ready = 0')
      .pluck()
      .all() as string[];
  }

  /**
   * The listing as JSON text built by SQLite itself: 10,000 summaries never become 10,000
   * JavaScript objects on the way to the response.
   */
  async listJson(status?: ArtifactStatus): Promise<string> {
    return this.#sqlite.listing(status ?? '*', () =>
      status
        ? (this.#sqlite
            .prepared(
              `SELECT json_group_array(${SUMMARY_JSON} ORDER BY seq DESC) FROM artifacts WHERE status = ?`,
            )
            .pluck()
            .get(status) as string)
        : (this.#sqlite
            .prepared(`SELECT json_group_array(${SUMMARY_JSON} ORDER BY seq DESC) FROM artifacts`)
            .pluck()
            .get() as string),
    );
  }

  async get(name: string): Promise<IndexedArtifact | null> {
    const row = this.#sqlite
      .prepared(`SELECT ${ROW_COLUMNS} FROM artifacts WHERE name = ?`)
      .get(name) as Row | undefined;
    return row ? toArtifact(row) : null;
  }

  async list(status: ArtifactStatus): Promise<IndexedArtifact[]> {
    return (
      this.#sqlite
        .prepared(`SELECT ${ROW_COLUMNS} FROM artifacts WHERE status = ? ORDER BY seq DESC`)
        .all(status) as Row[]
    ).map(toArtifact);
  }

  async buildInputs(name: string): Promise<BuildInputs | null> {
    const row = this.#sqlite
      .prepared('SELECT parameters, input_files FROM artifacts WHERE name = ?')
      .get(name) as { parameters: string; input_files: string } | undefined;
    return row
      ? { parameters: JSON.parse(row.parameters), inputFiles: JSON.parse(row.input_files) }
      : null;
  }

  async files(name: string): Promise<DataFileEntry[]> {
    const text = this.#sqlite
      .prepared('SELECT files FROM artifacts WHERE name = ?')
      .pluck()
      .get(name) as string | undefined;
    return text ? (JSON.parse(text) as DataFileEntry[]) : [];
  }

  async findCompletedByCacheKey(cacheKey: string): Promise<IndexedArtifact | null> {
    const row = this.#sqlite
      .prepared(
        `SELECT ${ROW_COLUMNS} FROM artifacts
         WHERE cache_key = ? AND status = 'completed' AND cached = 0 ORDER BY seq DESC LIMIT 1`,
      )
      .get(cacheKey) as Row | undefined;
    return row ? toArtifact(row) : null;
  }

  async countByStatus(): Promise<Partial<Record<ArtifactStatus, number>>> {
    const counts: Partial<Record<ArtifactStatus, number>> = {};
    const rows = this.#sqlite
      .prepared('SELECT status, COUNT(*) AS n FROM artifacts GROUP BY status')
      .all() as { status: ArtifactStatus; n: number }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async withPendingCallbacks(): Promise<IndexedArtifact[]> {
    return (
      this.#sqlite
        .prepared(`SELECT ${ROW_COLUMNS} FROM artifacts WHERE callback_state = 'pending'`)
        .all() as Row[]
    ).map(toArtifact);
  }

  async claimCallback(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    return (
      this.#sqlite
        .prepared(
          `UPDATE artifacts SET callback_owner = @owner, callback_until = @until
           WHERE name = @name AND callback_state = 'pending' AND (callback_owner IS NULL
             OR callback_owner = @owner OR callback_until IS NULL OR callback_until <= @now)`,
        )
        .run({ name, owner, until: now + leaseMs, now }).changes > 0
    );
  }

  async allNames(): Promise<Set<string>> {
    return new Set(this.#sqlite.prepared('SELECT name FROM artifacts').pluck().all() as string[]);
  }

  async update(name: string, patch: ArtifactPatch, onlyIf?: ArtifactStatus): Promise<boolean> {
    const keys = Object.keys(patch) as (keyof ArtifactPatch)[];
    if (keys.length === 0) return false;
    this.#sqlite.changed();
    const assignments = keys.map((key) => `${PATCH_COLUMNS[key]} = @${key}`).join(', ');
    const guard = onlyIf ? ' AND status = @onlyIf' : '';
    const values: Record<string, unknown> = { ...patch };
    if (typeof patch.cached === 'boolean') values['cached'] = patch.cached ? 1 : 0;
    const result = this.#sqlite
      .prepared(`UPDATE artifacts SET ${assignments} WHERE name = @name${guard}`)
      .run({ ...values, name, onlyIf: onlyIf ?? null });
    return result.changes > 0;
  }

  async remove(name: string): Promise<void> {
    this.#sqlite.changed();
    this.#sqlite.prepared('DELETE FROM artifacts WHERE name = ?').run(name);
  }
}
