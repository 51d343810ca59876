import type { ArtifactSummary } from '@kiln/api';
import { toSummary } from '../artifact-row.js';
import type {
  BuildCommit,
  BuildLease,
  BuildQueue,
  ClaimedBuild,
  ClaimOptions,
  RecoveredBuild,
  RenewedLease,
  StopRequest,
} from '../build-queue.js';
import { recoveryOutcome } from '../recovery-outcome.js';
import type { PostgresDatabase } from './postgres-database.js';
import { ROW_COLUMNS, toArtifact, toClaimedBuild, type ClaimRow, type Row } from '../sql-row.js';
import { millis } from './postgres-rows.js';

/** A lease's expiry as milliseconds since the epoch, by the database's clock. */
const EXPIRES_MS = `(extract(epoch FROM lease_expires_at) * 1000)::double precision AS expires_ms`;

/** Every write of a held build is fenced by its lease: the token and the attempt must match. */
const FENCE = `name = $1 AND status = 'in-progress' AND lease_token = $2 AND attempt = $3`;

const RELEASE = 'lease_owner = NULL, lease_expires_at = NULL, stop_requested = NULL';

const COMMITS: Record<BuildCommit['status'], string> = {
  completed: `status = 'completed', finished_at = $4, progress = 1, message = NULL, error = NULL,
    digest = $5, files = $6, ${RELEASE}`,
  failed: `status = 'failed', finished_at = $4, message = NULL, error = $5, ${RELEASE}`,
  cancelled: `status = 'cancelled', finished_at = $4, message = $5, error = NULL, ${RELEASE}`,
};

type ClaimRowWithExpiry = ClaimRow & { expires_ms: number };

interface AbandonedRow {
  name: string;
  attempt: number;
  lease_token: number;
  stop_requested: StopRequest | null;
}

/**
 * The queue in PostgreSQL, shared by every replica. A claim takes the oldest ready build with
 * `FOR UPDATE SKIP LOCKED`, so concurrent claims from many replicas never wait on each other and
 * never take the same build. Leases expire by the database's clock, so the replicas' clocks
 * need not agree.
 */
export class PostgresBuildQueue implements BuildQueue {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async claim(options: ClaimOptions): Promise<ClaimedBuild | null> {
    const s = this.#db.s;
    const { rows } = await this.#db.query<ClaimRowWithExpiry>(
      `WITH next AS (
         SELECT seq FROM ${s}.artifacts WHERE status = 'queued' AND ready
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE ${s}.artifacts a SET status = 'in-progress', started_at = $1, progress = 0,
         message = 'building', lease_owner = $2, lease_token = lease_token + 1,
         lease_expires_at = clock_timestamp() + ${millis(3)}, gpu = $4, stop_requested = NULL
       FROM next WHERE a.seq = next.seq
       RETURNING ${ROW_COLUMNS}, parameters, input_files, lease_token, ${EXPIRES_MS}`,
      [new Date().toISOString(), options.owner, options.leaseMs, options.gpu],
    );
    const row = rows[0];
    if (!row) return null;
    return toClaimedBuild(row, options.owner, row.expires_ms);
  }

  async renew(lease: BuildLease, leaseMs: number): Promise<RenewedLease | null> {
    const { rows } = await this.#db.query<{
      stop_requested: StopRequest | null;
      expires_ms: number;
    }>(
      `UPDATE ${this.#db.s}.artifacts SET lease_expires_at = clock_timestamp() + ${millis(4)}
       WHERE ${FENCE} RETURNING stop_requested, ${EXPIRES_MS}`,
      [...fence(lease), leaseMs],
    );
    const row = rows[0];
    return row ? { ...lease, expiresAt: row.expires_ms, stopRequested: row.stop_requested } : null;
  }

  async requestStop(name: string, request: StopRequest): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE ${this.#db.s}.artifacts SET stop_requested = COALESCE(stop_requested, $2)
       WHERE name = $1 AND status = 'in-progress'`,
      [name, request],
    );
    return (rowCount ?? 0) > 0;
  }

  async progress(
    lease: BuildLease,
    fraction: number,
    message: string | null,
  ): Promise<ArtifactSummary | null> {
    const { rows } = await this.#db.query<Row>(
      `UPDATE ${this.#db.s}.artifacts SET progress = $4, message = $5 WHERE ${FENCE}
       RETURNING ${ROW_COLUMNS}`,
      [...fence(lease), fraction, message],
    );
    return rows[0] ? toSummary(toArtifact(rows[0])) : null;
  }

  async commit(lease: BuildLease, result: BuildCommit): Promise<ArtifactSummary | null> {
    const values: unknown[] = [...fence(lease), new Date().toISOString()];
    if (result.status === 'completed') values.push(result.digest, JSON.stringify(result.files));
    else values.push(result.status === 'failed' ? result.error : result.message);
    const { rows } = await this.#db.query<Row>(
      `UPDATE ${this.#db.s}.artifacts SET ${COMMITS[result.status]} WHERE ${FENCE}
       RETURNING ${ROW_COLUMNS}`,
      values,
    );
    return rows[0] ? toSummary(toArtifact(rows[0])) : null;
  }

  /**
   * Every in-progress build whose lease ran out (by the database's clock) and that `owner` does
   * not hold: its replica died, lost the database, or was cut off. Replicas that recover at the
   * same moment race on the lease token: each build is taken back once.
   */
  async recoverAbandoned(owner: string, maxAttempts: number): Promise<RecoveredBuild[]> {
    const s = this.#db.s;
    const { rows } = await this.#db.query<AbandonedRow>(
      `SELECT name, attempt, lease_token, stop_requested FROM ${s}.artifacts
       WHERE status = 'in-progress' AND lease_owner IS DISTINCT FROM $1
         AND (lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp())
       ORDER BY seq`,
      [owner],
    );
    const recovered: RecoveredBuild[] = [];
    for (const row of rows) {
      const outcome = recoveryOutcome(row.attempt, row.stop_requested, maxAttempts);
      const changed = await this.#db.query<Row>(
        `UPDATE ${s}.artifacts SET status = $3, attempt = $4, message = $5, error = $6,
           finished_at = $7, progress = CASE WHEN $3 = 'queued' THEN 0 ELSE progress END,
           ${RELEASE}
         WHERE name = $1 AND status = 'in-progress' AND lease_token = $2
         RETURNING ${ROW_COLUMNS}`,
        [
          row.name,
          row.lease_token,
          outcome.status,
          outcome.attempt,
          outcome.message,
          outcome.error,
          outcome.finished ? new Date().toISOString() : null,
        ],
      );
      const updated = changed.rows[0];
      if (updated)
        recovered.push({
          summary: toSummary(toArtifact(updated)),
          gaveUp: outcome.status === 'failed',
        });
    }
    return recovered;
  }

  async countReady(): Promise<number> {
    const { rows } = await this.#db.query<{ n: number }>(
      `SELECT COUNT(*)::integer AS n FROM ${this.#db.s}.artifacts WHERE status = 'queued' AND ready`,
    );
    return rows[0]!.n;
  }
}

function fence(lease: BuildLease): [string, number, number] {
  return [lease.name, lease.token, lease.attempt];
}
