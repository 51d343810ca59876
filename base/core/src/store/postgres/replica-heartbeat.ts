import type { Logger } from '@kiln/api';
import { hostname } from 'node:os';
import type { PostgresDatabase } from './postgres-database.js';
import { millis } from './postgres-rows.js';

/** A replica not seen for this many leases is forgotten. */
const FORGET_AFTER_LEASES = 10;

/**
 * This replica's row in the `replicas` table, touched every third of a lease, so that the others
 * know it is alive: they leave its half-made creates and its uploads alone. A replica not seen
 * for a lease is taken for gone (its builds' leases run out at the same time).
 */
export class ReplicaHeartbeat {
  readonly #db: PostgresDatabase;
  readonly #replica: string;
  readonly #leaseMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;

  constructor(db: PostgresDatabase, replica: string, leaseMs: number, logger: Logger) {
    this.#db = db;
    this.#replica = replica;
    this.#leaseMs = leaseMs;
    this.#logger = logger;
  }

  /** Records this replica, then keeps its row fresh. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beat().catch((error: unknown) =>
        this.#logger.debug('could not record the heartbeat', { error: String(error) }),
      );
    }, this.#leaseMs / 3);
    this.#timer.unref();
  }

  /** The other replicas seen within a lease. */
  async others(): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>(
      `SELECT id FROM ${this.#db.s}.replicas
       WHERE id <> $1 AND seen_at > clock_timestamp() - ${millis(2)}`,
      [this.#replica, this.#leaseMs],
    );
    return rows.map((row) => row.id);
  }

  /** Stops beating and removes this replica's row (a clean stop). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#db
      .query(`DELETE FROM ${this.#db.s}.replicas WHERE id = $1`, [this.#replica])
      .catch(() => undefined);
  }

  async #beat(): Promise<void> {
    const s = this.#db.s;
    await this.#db.query(
      `INSERT INTO ${s}.replicas (id, host, pid) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()`,
      [this.#replica, hostname(), process.pid],
    );
    await this.#db.query(
      `DELETE FROM ${s}.replicas WHERE seen_at < clock_timestamp() - ${millis(1)}`,
      [this.#leaseMs * FORGET_AFTER_LEASES],
    );
  }
}
