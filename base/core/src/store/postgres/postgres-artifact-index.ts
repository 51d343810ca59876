import type { ArtifactStatus, DataFileEntry } from '@kiln/api';
import type { ArtifactIndex } from '../artifact-index.js';
import type { ArtifactPatch, BuildInputs, IndexedArtifact, RowPayload } from '../artifact-row.js';
import type { PostgresDatabase } from './postgres-database.js';
import { PATCH_COLUMNS, ROW_COLUMNS, toArtifact, type Row } from '../sql-row.js';
import { millis, SUMMARY_JSON } from './postgres-rows.js';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * The index in PostgreSQL, shared by every replica of a container. Rows are those of the SQLite
 * index, plus the replica that created each (so that a create half done by a replica that died
 * is told from one under way).
 */
export class PostgresArtifactIndex implements ArtifactIndex {
  readonly #db: PostgresDatabase;
  readonly #replica: string;
  readonly #liveMs: number;

  /**
   * @param replica - this process, recorded as the creator of the rows it inserts
   * @param liveMs - a replica seen within this long is alive (its creates are left alone)
   */
  constructor(db: PostgresDatabase, replica: string, liveMs: number) {
    this.#db = db;
    this.#replica = replica;
    this.#liveMs = liveMs;
  }

  async insert(artifact: IndexedArtifact, payload: RowPayload): Promise<boolean> {
    try {
      await this.#db.query(
        `INSERT INTO ${this.#db.s}.artifacts (name, status, created_at, started_at, finished_at,
           progress, message, attempt, cached, cached_from, cache_key, digest, callback,
           callback_state, inputs, parameters, input_files, files, ready, gpu, creator)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
           $19, $20, $21)`,
        [
          artifact.name,
          artifact.status,
          artifact.createdAt,
          artifact.startedAt,
          artifact.finishedAt,
          artifact.progress,
          artifact.message,
          artifact.attempt,
          artifact.cached,
          artifact.cachedFrom,
          artifact.cacheKey,
          artifact.digest,
          artifact.callback,
          artifact.callbackState,
          JSON.stringify(artifact.inputs),
          JSON.stringify(payload.parameters),
          JSON.stringify(payload.inputFiles),
          JSON.stringify(payload.files ?? []),
          payload.ready !== false,
          artifact.gpu,
          this.#replica,
        ],
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  async markReady(name: string): Promise<void> {
    await this.#db.query(`UPDATE ${this.#db.s}.artifacts SET ready = true WHERE name = $1`, [name]);
  }

  /** Rows never made ready whose creator is gone: neither this process nor a live replica. */
  async unreadyNames(): Promise<string[]> {
    const s = this.#db.s;
    const { rows } = await this.#db.query<{ name: string }>(
      `SELECT name FROM ${s}.artifacts a WHERE NOT ready
         AND a.creator IS DISTINCT FROM $1
         AND NOT EXISTS (SELECT 1 FROM ${s}.replicas r
           WHERE r.id = a.creator AND r.seen_at > clock_timestamp() - ${millis(2)})`,
      [this.#replica, this.#liveMs],
    );
    return rows.map((row) => row.name);
  }

  /** The listing as JSON text built by PostgreSQL. Not cached: other replicas change rows too. */
  async listJson(status?: ArtifactStatus): Promise<string> {
    const { rows } = await this.#db.query<{ json: string }>(
      `SELECT COALESCE(json_agg(${SUMMARY_JSON} ORDER BY seq DESC), '[]')::text AS json
       FROM ${this.#db.s}.artifacts${status ? ' WHERE status = $1' : ''}`,
      status ? [status] : [],
    );
    return rows[0]!.json;
  }

  async get(name: string): Promise<IndexedArtifact | null> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${ROW_COLUMNS} FROM ${this.#db.s}.artifacts WHERE name = $1`,
      [name],
    );
    return rows[0] ? toArtifact(rows[0]) : null;
  }

  async list(status: ArtifactStatus): Promise<IndexedArtifact[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${ROW_COLUMNS} FROM ${this.#db.s}.artifacts WHERE status = $1 ORDER BY seq DESC`,
      [status],
    );
    return rows.map(toArtifact);
  }

  async buildInputs(name: string): Promise<BuildInputs | null> {
    const { rows } = await this.#db.query<{ parameters: string; input_files: string }>(
      `SELECT parameters, input_files FROM ${this.#db.s}.artifacts WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row
      ? { parameters: JSON.parse(row.parameters), inputFiles: JSON.parse(row.input_files) }
      : null;
  }

  async files(name: string): Promise<DataFileEntry[]> {
    const { rows } = await this.#db.query<{ files: string }>(
      `SELECT files FROM ${this.#db.s}.artifacts WHERE name = $1`,
      [name],
    );
    return rows[0] ? (JSON.parse(rows[0].files) as DataFileEntry[]) : [];
  }

  async findCompletedByCacheKey(cacheKey: string): Promise<IndexedArtifact | null> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${ROW_COLUMNS} FROM ${this.#db.s}.artifacts
       WHERE cache_key = $1 AND status = 'completed' AND NOT cached ORDER BY seq DESC LIMIT 1`,
      [cacheKey],
    );
    return rows[0] ? toArtifact(rows[0]) : null;
  }

  async countByStatus(): Promise<Partial<Record<ArtifactStatus, number>>> {
    const { rows } = await this.#db.query<{ status: ArtifactStatus; n: number }>(
      `SELECT status, COUNT(*)::integer AS n FROM ${this.#db.s}.artifacts GROUP BY status`,
    );
    const counts: Partial<Record<ArtifactStatus, number>> = {};
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async withPendingCallbacks(): Promise<IndexedArtifact[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${ROW_COLUMNS} FROM ${this.#db.s}.artifacts WHERE callback_state = 'pending'`,
    );
    return rows.map(toArtifact);
  }

  async claimCallback(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#db.s}.artifacts
       SET callback_owner = $2, callback_until = clock_timestamp() + ${millis(3)}
       WHERE name = $1 AND callback_state = 'pending' AND (callback_owner IS NULL
         OR callback_owner = $2 OR callback_until IS NULL OR callback_until <= clock_timestamp())`,
      [name, owner, leaseMs],
    );
    return (rowCount ?? 0) > 0;
  }

  async allNames(): Promise<Set<string>> {
    const { rows } = await this.#db.query<{ name: string }>(
      `SELECT name FROM ${this.#db.s}.artifacts`,
    );
    return new Set(rows.map((row) => row.name));
  }

  async update(name: string, patch: ArtifactPatch, onlyIf?: ArtifactStatus): Promise<boolean> {
    const keys = Object.keys(patch) as (keyof ArtifactPatch)[];
    if (keys.length === 0) return false;
    const values: unknown[] = [name, ...keys.map((key) => patch[key])];
    const assignments = keys.map((key, i) => `${PATCH_COLUMNS[key]} = $${i + 2}`).join(', ');
    let guard = '';
    if (onlyIf) {
      values.push(onlyIf);
      guard = ` AND status = $${values.length}`;
    }
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#db.s}.artifacts SET ${assignments} WHERE name = $1${guard}`,
      values,
    );
    return (rowCount ?? 0) > 0;
  }

  async remove(name: string): Promise<void> {
    await this.#db.query(`DELETE FROM ${this.#db.s}.artifacts WHERE name = $1`, [name]);
  }
}
