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
import type { SqliteDatabase } from './sqlite-database.js';
import { ROW_COLUMNS, toArtifact, toClaimedBuild, type ClaimRow, type Row } from '../sql-row.js';

/** The oldest ready queued build becomes in-progress under a new lease, in one statement. */
const CLAIM = `UPDATE artifacts SET status = 'in-progress', started_at = @now, progress = 0,
    message = 'building', lease_owner = @owner, lease_token = lease_token + 1,
    lease_expires_at = @expiresAt, gpu = @gpu, stop_requested = NULL
  WHERE seq = (SELECT seq FROM artifacts WHERE status = 'queued' AND ready = 1 ORDER BY seq LIMIT 1)
  RETURNING ${ROW_COLUMNS}, parameters, input_files, lease_token`;

/** Every write of a held build is fenced by its lease: the token and the attempt must match. */
const FENCE = `name = @name AND status = 'in-progress' AND lease_token = @token AND attempt = @attempt`;

const RELEASE = 'lease_owner = NULL, lease_expires_at = NULL, stop_requested = NULL';

const COMMITS: Record<BuildCommit['status'], string> = {
  completed: `status = 'completed', finished_at = @now, progress = 1, message = NULL, error = NULL,
    digest = @digest, files = @files, ${RELEASE}`,
  failed: `status = 'failed', finished_at = @now, message = NULL, error = @error, ${RELEASE}`,
  cancelled: `status = 'cancelled', finished_at = @now, message = @message, error = NULL, ${RELEASE}`,
};

interface AbandonedRow {
  name: string;
  attempt: number;
  lease_token: number;
  stop_requested: StopRequest | null;
}

/** The queue in the data folder's SQLite file (see `BuildQueue`). */
export class SqliteBuildQueue implements BuildQueue {
  readonly #sqlite: SqliteDatabase;

  constructor(sqlite: SqliteDatabase) {
    this.#sqlite = sqlite;
  }

  async claim(options: ClaimOptions): Promise<ClaimedBuild | null> {
    const expiresAt = Date.now() + options.leaseMs;
    this.#sqlite.changed();
    const row = this.#sqlite.prepared(CLAIM).get({
      now: new Date().toISOString(),
      owner: options.owner,
      expiresAt,
      gpu: options.gpu,
    }) as ClaimRow | undefined;
    if (!row) return null;
    return toClaimedBuild(row, options.owner, expiresAt);
  }

  async renew(lease: BuildLease, leaseMs: number): Promise<RenewedLease | null> {
    const expiresAt = Date.now() + leaseMs;
    const row = this.#sqlite
      .prepared(
        `UPDATE artifacts SET lease_expires_at = @expiresAt WHERE ${FENCE} RETURNING stop_requested`,
      )
      .get({ ...fence(lease), expiresAt }) as { stop_requested: StopRequest | null } | undefined;
    return row ? { ...lease, expiresAt, stopRequested: row.stop_requested } : null;
  }

  async requestStop(name: string, request: StopRequest): Promise<boolean> {
    return (
      this.#sqlite
        .prepared(
          `UPDATE artifacts SET stop_requested = COALESCE(stop_requested, @request)
           WHERE name = @name AND status = 'in-progress'`,
        )
        .run({ name, request }).changes > 0
    );
  }

  async progress(
    lease: BuildLease,
    fraction: number,
    message: string | null,
  ): Promise<ArtifactSummary | null> {
    this.#sqlite.changed();
    const row = this.#sqlite
      .prepared(
        `UPDATE artifacts SET progress = @fraction, message = @message WHERE ${FENCE}
         RETURNING ${ROW_COLUMNS}`,
      )
      .get({ ...fence(lease), fraction, message }) as Row | undefined;
    return row ? toSummary(toArtifact(row)) : null;
  }

  async commit(lease: BuildLease, result: BuildCommit): Promise<ArtifactSummary | null> {
    this.#sqlite.changed();
    const row = this.#sqlite
      .prepared(
        `UPDATE artifacts SET ${COMMITS[result.status]} WHERE ${FENCE} RETURNING ${ROW_COLUMNS}`,
      )
      .get({
        ...fence(lease),
        now: new Date().toISOString(),
        digest: result.status === 'completed' ? result.digest : null,
        files: result.status === 'completed' ? JSON.stringify(result.files) : null,
        error: result.status === 'failed' ? result.error : null,
        message: result.status === 'cancelled' ? result.message : null,
      }) as Row | undefined;
    return row ? toSummary(toArtifact(row)) : null;
  }

  async recoverAbandoned(owner: string, maxAttempts: number): Promise<RecoveredBuild[]> {
    // One process holds every build of a SQLite index: any in-progress row another owner (or an
    // older Kiln, which recorded none) left behind belongs to a process that is gone.
    const abandoned = this.#sqlite
      .prepared(
        `SELECT name, attempt, lease_token, stop_requested FROM artifacts
         WHERE status = 'in-progress' AND (lease_owner IS NULL OR lease_owner != ?) ORDER BY seq`,
      )
      .all(owner) as AbandonedRow[];
    const recovered: RecoveredBuild[] = [];
    for (const row of abandoned) {
      const outcome = recoveryOutcome(row.attempt, row.stop_requested, maxAttempts);
      const changed = this.#sqlite
        .prepared(
          `UPDATE artifacts SET status = @status, attempt = @attempt, message = @message,
             error = @error, finished_at = @finishedAt,
             progress = CASE WHEN @status = 'queued' THEN 0 ELSE progress END, ${RELEASE}
           WHERE name = @name AND status = 'in-progress' AND lease_token = @token
           RETURNING ${ROW_COLUMNS}`,
        )
        .get({
          name: row.name,
          token: row.lease_token,
          status: outcome.status,
          attempt: outcome.attempt,
          message: outcome.message,
          error: outcome.error,
          finishedAt: outcome.finished ? new Date().toISOString() : null,
        }) as Row | undefined;
      if (changed)
        recovered.push({
          summary: toSummary(toArtifact(changed)),
          gaveUp: outcome.status === 'failed',
        });
    }
    if (recovered.length > 0) this.#sqlite.changed();
    return recovered;
  }

  async countReady(): Promise<number> {
    return this.#sqlite
      .prepared(`SELECT COUNT(*) FROM artifacts WHERE status = 'queued' AND ready = 1`)
      .pluck()
      .get() as number;
  }
}

function fence(lease: BuildLease): { name: string; token: number; attempt: number } {
  return { name: lease.name, token: lease.token, attempt: lease.attempt };
}
