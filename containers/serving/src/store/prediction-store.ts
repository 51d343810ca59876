import type { PredictionDetail, PredictionInfo, PredictionSource } from '@kiln/api';
import type Database from 'better-sqlite3';

/** One prediction to keep: its input (grey pixels), its output and where it came from. */
export interface NewPrediction {
  id: string;
  model: string;
  version: number;
  label: number;
  confidence: number;
  probabilities: Float32Array;
  /** Grey pixels 0–255, row-major, `height × width`. */
  input: Uint8Array;
  height: number;
  width: number;
  source: PredictionSource;
  createdAt: string;
}

/** The stored input of a prediction. */
export interface PredictionInput {
  pixels: Uint8Array;
  height: number;
  width: number;
}

/** Options of {@link PredictionStore.list}. */
export interface PredictionQuery {
  model?: string;
  /** @defaultValue 50 */
  limit?: number;
  /** Only predictions older than this one (paging). */
  before?: string;
}

interface PredictionRow {
  seq: number;
  id: string;
  model: string;
  version: number;
  label: number;
  confidence: number;
  source: PredictionSource;
  created_at: string;
}

/** How often (in inserted rows) the oldest predictions beyond the cap are removed. */
const PRUNE_EVERY = 1024;

function toInfo(row: PredictionRow): PredictionInfo {
  return {
    id: row.id,
    model: row.model,
    version: row.version,
    label: row.label,
    confidence: row.confidence,
    createdAt: row.created_at,
    feedback: null,
    source: row.source,
  };
}

/**
 * Every prediction the container answered, durably: a batch of predictions is one transaction,
 * committed before any of them is answered, so an acknowledged prediction survives a `kill -9`.
 * Beyond `maxPredictions` rows the oldest are removed.
 */
export class PredictionStore {
  readonly #db: Database.Database;
  readonly #maxPredictions: number;
  readonly #insert: Database.Statement;
  readonly #insertMany: (rows: readonly NewPrediction[]) => void;
  #sincePrune = 0;
  #pending: NewPrediction[] = [];
  #waiters: { resolve(): void; reject(error: unknown): void }[] = [];

  constructor(db: Database.Database, maxPredictions: number) {
    this.#db = db;
    this.#maxPredictions = maxPredictions;
    this.#insert = db.prepare(
      `INSERT INTO predictions (id, model, version, label, confidence, probabilities, input, height, width, source, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertMany = db.transaction((rows: readonly NewPrediction[]) => {
      for (const row of rows) {
        this.#insert.run(
          row.id,
          row.model,
          row.version,
          row.label,
          row.confidence,
          Buffer.from(
            row.probabilities.buffer,
            row.probabilities.byteOffset,
            row.probabilities.byteLength,
          ),
          Buffer.from(row.input.buffer, row.input.byteOffset, row.input.byteLength),
          row.height,
          row.width,
          row.source,
          row.createdAt,
        );
      }
    });
  }

  /**
   * Keeps predictions, committed together with the others kept in the same turn of the event
   * loop: the requests of one model batch all resume in one turn, so they share one transaction
   * (one WAL write) instead of one each. Resolves once committed.
   */
  keep(rows: readonly NewPrediction[]): Promise<void> {
    if (this.#pending.length === 0) queueMicrotask(() => this.#flush());
    this.#pending.push(...rows);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #flush(): void {
    const rows = this.#pending;
    const waiters = this.#waiters;
    this.#pending = [];
    this.#waiters = [];
    try {
      this.insert(rows);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  /** Keeps a batch of predictions in one transaction. */
  insert(rows: readonly NewPrediction[]): void {
    if (rows.length === 0) return;
    this.#insertMany(rows);
    this.#sincePrune += rows.length;
    if (this.#sincePrune >= PRUNE_EVERY) this.#prune();
  }

  /** Predictions newest first. */
  list(query: PredictionQuery = {}): PredictionInfo[] {
    const limit = query.limit ?? 50;
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.model !== undefined) {
      conditions.push('model = ?');
      values.push(query.model);
    }
    if (query.before !== undefined) {
      conditions.push('seq < (SELECT seq FROM predictions WHERE id = ?)');
      values.push(query.before);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.#db
      .prepare<unknown[], PredictionRow>(
        `SELECT seq, id, model, version, label, confidence, source, created_at FROM predictions ${where} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...values, limit)
      .map(toInfo);
  }

  has(id: string): boolean {
    return this.#db.prepare('SELECT 1 FROM predictions WHERE id = ?').get(id) !== undefined;
  }

  /** One prediction with every probability, or null. */
  get(id: string): PredictionDetail | null {
    const row = this.#db
      .prepare<[string], PredictionRow & { probabilities: Buffer }>(
        'SELECT seq, id, model, version, label, confidence, source, created_at, probabilities FROM predictions WHERE id = ?',
      )
      .get(id);
    if (!row) return null;
    const bytes = Uint8Array.from(row.probabilities);
    return { ...toInfo(row), probabilities: Array.from(new Float32Array(bytes.buffer)) };
  }

  /** The grey pixels a prediction was made from, or null. */
  input(id: string): PredictionInput | null {
    const row = this.#db
      .prepare<[string], { input: Buffer; height: number; width: number }>(
        'SELECT input, height, width FROM predictions WHERE id = ?',
      )
      .get(id);
    return row ? { pixels: new Uint8Array(row.input), height: row.height, width: row.width } : null;
  }

  /** How many predictions are kept. */
  count(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;
  }

  #prune(): void {
    this.#sincePrune = 0;
    this.#db
      .prepare('DELETE FROM predictions WHERE seq <= (SELECT MAX(seq) FROM predictions) - ?')
      .run(this.#maxPredictions);
  }
}
