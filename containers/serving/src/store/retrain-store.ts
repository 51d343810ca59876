import { RetrainStatus, type GateVerdict, type RetrainInfo, type RetrainTrigger } from '@kiln/api';
import type Database from 'better-sqlite3';

/** The statuses of a run in flight (the database allows one per model). */
const IN_FLIGHT = [RetrainStatus.Snapshotting, RetrainStatus.Running, RetrainStatus.Gating];

/** A retraining run as the store keeps it: the wire form plus what a restart needs. */
export interface RetrainRecord extends RetrainInfo {
  /** The name of its snapshot artifact, fixed before it is made. */
  snapshotName: string;
  /** The newest label it counts (a feedback sequence number): its snapshot's bound. */
  through: number;
}

/** What starting a retraining run needs. */
export interface NewRetrain {
  model: string;
  pipeline: string;
  trigger: RetrainTrigger;
  /** This database's token, which keeps run names apart from another database's. */
  token: string;
}

/** The fields a step of a retraining run may set. */
export type RetrainPatch = Partial<
  Pick<RetrainInfo, 'status' | 'snapshot' | 'version' | 'verdict' | 'reason'>
>;

interface RetrainRow {
  id: number;
  model: string;
  pipeline: string;
  run: string;
  snapshot_name: string;
  through: number;
  trigger: RetrainTrigger;
  status: RetrainStatus;
  labels: number;
  trained: number;
  snapshot: string | null;
  version: number | null;
  verdict: string | null;
  reason: string | null;
  created_at: string;
  finished_at: string | null;
}

function toRecord(row: RetrainRow): RetrainRecord {
  return {
    id: row.id,
    model: row.model,
    pipeline: row.pipeline,
    run: row.run,
    trigger: row.trigger,
    status: row.status,
    labels: row.labels,
    trained: row.trained,
    snapshot: row.snapshot,
    version: row.version,
    verdict: row.verdict === null ? null : (JSON.parse(row.verdict) as GateVerdict),
    reason: row.reason,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    snapshotName: row.snapshot_name,
    through: row.through,
  };
}

/** The wire form of a record. */
export function retrainInfo(record: RetrainRecord): RetrainInfo {
  const { snapshotName: _name, through: _through, ...info } = record;
  return info;
}

/**
 * A name of at most 128 characters for a run or snapshot of `model`: the model's name (cut
 * short if need be), what it is, the run's id and the database's token.
 */
function nameFor(model: string, what: string, id: number, token: string): string {
  return `${model.slice(0, 80)}-${what}-${id}-${token}`;
}

/**
 * The retraining runs and the labels each holds, in the serving database. A run's name is
 * chosen and stored, with the labels it claims, in one transaction before the run is started,
 * so a restart finds the run by that name and follows it rather than starting another. The
 * database allows one run in flight per model. Labels become used when their run's pipeline run
 * completes, and are released (pending again) when it fails or is cancelled.
 */
export class RetrainStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /**
   * Records a new run in flight and claims every pending label of its model for it; resolves
   * with the record, or null when the model has a run in flight already.
   */
  begin(request: NewRetrain): RetrainRecord | null {
    return this.#db.transaction(() => {
      if (this.inFlight(request.model)) return null;
      const through = this.#lastSeq(request.model);
      const createdAt = new Date().toISOString();
      const { lastInsertRowid } = this.#db
        .prepare(
          `INSERT INTO retrains (model, pipeline, run, snapshot_name, through, trigger, status, labels, trained, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
        )
        .run(
          request.model,
          request.pipeline,
          `pending-${createdAt}`,
          `pending-${createdAt}`,
          through,
          request.trigger,
          RetrainStatus.Snapshotting,
          createdAt,
        );
      const id = Number(lastInsertRowid);
      const labels = this.#db
        .prepare(
          'UPDATE feedback SET retrain = ? WHERE model = ? AND used = 0 AND retrain IS NULL AND seq <= ?',
        )
        .run(id, request.model, through).changes;
      const trained = (
        this.#db
          .prepare<[string, number], { n: number }>(
            'SELECT COUNT(*) AS n FROM feedback WHERE model = ? AND held_out = 0 AND seq <= ?',
          )
          .get(request.model, through) ?? { n: 0 }
      ).n;
      this.#db
        .prepare(
          'UPDATE retrains SET run = ?, snapshot_name = ?, labels = ?, trained = ? WHERE id = ?',
        )
        .run(
          nameFor(request.model, 'retrain', id, request.token),
          nameFor(request.model, 'feedback', id, request.token),
          labels,
          trained,
          id,
        );
      return this.get(id)!;
    })();
  }

  get(id: number): RetrainRecord | null {
    const row = this.#db
      .prepare<[number], RetrainRow>('SELECT * FROM retrains WHERE id = ?')
      .get(id);
    return row ? toRecord(row) : null;
  }

  /** The model's run in flight, or null. */
  inFlight(model: string): RetrainRecord | null {
    const row = this.#db
      .prepare<[string, ...string[]], RetrainRow>(
        `SELECT * FROM retrains WHERE model = ? AND status IN (${IN_FLIGHT.map(() => '?').join(', ')})`,
      )
      .get(model, ...IN_FLIGHT);
    return row ? toRecord(row) : null;
  }

  /** Every run in flight, of every model (what a restart picks up). */
  allInFlight(): RetrainRecord[] {
    return this.#db
      .prepare<string[], RetrainRow>(
        `SELECT * FROM retrains WHERE status IN (${IN_FLIGHT.map(() => '?').join(', ')}) ORDER BY id`,
      )
      .all(...IN_FLIGHT)
      .map(toRecord);
  }

  /** A model's runs, newest first. */
  list(model: string, limit = 50): RetrainRecord[] {
    return this.#db
      .prepare<[string, number], RetrainRow>(
        'SELECT * FROM retrains WHERE model = ? ORDER BY id DESC LIMIT ?',
      )
      .all(model, limit)
      .map(toRecord);
  }

  /** Applies a patch; a final status stamps `finishedAt`. */
  update(id: number, patch: RetrainPatch): RetrainRecord {
    const columns: Record<string, unknown> = {};
    if (patch.status !== undefined) {
      columns['status'] = patch.status;
      if (!(IN_FLIGHT as string[]).includes(patch.status))
        columns['finished_at'] = new Date().toISOString();
    }
    if (patch.snapshot !== undefined) columns['snapshot'] = patch.snapshot;
    if (patch.version !== undefined) columns['version'] = patch.version;
    if (patch.verdict !== undefined)
      columns['verdict'] = patch.verdict === null ? null : JSON.stringify(patch.verdict);
    if (patch.reason !== undefined) columns['reason'] = patch.reason;
    const names = Object.keys(columns);
    if (names.length > 0) {
      this.#db
        .prepare(
          `UPDATE retrains SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`,
        )
        .run({ ...columns, id });
    }
    return this.get(id)!;
  }

  /**
   * The pipeline run completed: its labels are used, in the same transaction as its move to
   * `gating` (a restart finds either both or neither).
   */
  complete(id: number): RetrainRecord {
    return this.#db.transaction(() => {
      this.#db.prepare('UPDATE feedback SET used = 1 WHERE retrain = ?').run(id);
      return this.update(id, { status: RetrainStatus.Gating });
    })();
  }

  /**
   * The run failed or was cancelled before it completed: its labels are pending again, in the
   * same transaction as its final status.
   */
  release(
    id: number,
    status: typeof RetrainStatus.Failed | typeof RetrainStatus.Cancelled,
    reason: string,
  ): RetrainRecord {
    return this.#db.transaction(() => {
      this.#db.prepare('UPDATE feedback SET retrain = NULL WHERE retrain = ? AND used = 0').run(id);
      return this.update(id, { status, reason });
    })();
  }

  #lastSeq(model: string): number {
    return (
      this.#db
        .prepare<[string], { seq: number | null }>(
          'SELECT MAX(seq) AS seq FROM feedback WHERE model = ?',
        )
        .get(model)?.seq ?? 0
    );
  }
}
