import type { FeedbackInfo } from '@kiln/api';
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

/** A label to keep: the right class of an input, and the prediction it answers, if any. */
export interface NewFeedback {
  model: string;
  label: number;
  /** Grey pixels 0–255, row-major, `height × width`. */
  input: Uint8Array;
  height: number;
  width: number;
  /** The prediction it corrects or confirms, with its version and predicted class. */
  prediction: { id: string; version: number; predicted: number } | null;
  /** Every `holdOutEvery`-th label of the model is held out; 0 holds none out. */
  holdOutEvery: number;
}

/** A stored label as the routes show it, before its class name is added. */
export type StoredFeedback = Omit<FeedbackInfo, 'class'>;

/** Labelled examples as pixels and labels, in the order they were given. */
export interface LabelledExamples {
  count: number;
  height: number;
  width: number;
  /** `count × height × width` grey pixels. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** How many labels a model has, by state. */
export interface FeedbackCounts {
  total: number;
  /** Not counted by a completed retraining run. */
  unused: number;
  /** Unused and not held by a run in flight. */
  pending: number;
  heldOut: number;
}

/** One version's live figures: feedback on its predictions, and how much confirmed them. */
export interface VersionFeedback {
  count: number;
  correct: number;
}

interface FeedbackRow {
  seq: number;
  id: string;
  model: string;
  prediction_id: string | null;
  version: number | null;
  predicted: number | null;
  label: number;
  held_out: number;
  retrain: number | null;
  used: number;
  created_at: string;
}

const COLUMNS =
  'seq, id, model, prediction_id, version, predicted, label, held_out, retrain, used, created_at';

function toStored(row: FeedbackRow): StoredFeedback {
  return {
    id: row.id,
    model: row.model,
    predictionId: row.prediction_id,
    label: row.label,
    used: row.used === 1,
    heldOut: row.held_out === 1,
    version: row.version,
    predicted: row.predicted,
    retrain: row.retrain,
    createdAt: row.created_at,
  };
}

/** Options of {@link FeedbackStore.list}. */
export interface FeedbackQuery {
  model?: string;
  /** @defaultValue 50 */
  limit?: number;
}

/**
 * Every label people gave, durably: a label is one committed transaction before it is
 * acknowledged, so it survives a `kill -9`. A prediction takes one label (the database refuses a
 * second), and each label keeps its own copy of the input. Whether a label is held out is
 * decided when it is stored, from its place among the model's labels, and never changes, so a
 * held-out label is never trained on.
 */
export class FeedbackStore {
  readonly #db: Database.Database;
  readonly #insert: (feedback: NewFeedback) => StoredFeedback;

  constructor(db: Database.Database) {
    this.#db = db;
    const nextOrdinal = db.prepare<[string], { next: number }>(
      'SELECT COALESCE(MAX(ordinal), 0) + 1 AS next FROM feedback WHERE model = ?',
    );
    const insert = db.prepare(
      `INSERT INTO feedback (id, model, ordinal, prediction_id, version, predicted, label, input, height, width, held_out, created_at)
       VALUES (@id, @model, @ordinal, @predictionId, @version, @predicted, @label, @input, @height, @width, @heldOut, @createdAt)`,
    );
    this.#insert = db.transaction((feedback: NewFeedback) => {
      const ordinal = nextOrdinal.get(feedback.model)!.next;
      const every = feedback.holdOutEvery;
      const id = randomUUID();
      insert.run({
        id,
        model: feedback.model,
        ordinal,
        predictionId: feedback.prediction?.id ?? null,
        version: feedback.prediction?.version ?? null,
        predicted: feedback.prediction?.predicted ?? null,
        label: feedback.label,
        input: Buffer.from(
          feedback.input.buffer,
          feedback.input.byteOffset,
          feedback.input.byteLength,
        ),
        height: feedback.height,
        width: feedback.width,
        heldOut: every > 0 && ordinal % every === 0 ? 1 : 0,
        createdAt: new Date().toISOString(),
      });
      return this.get(id)!;
    });
  }

  /** Keeps a label, committed before it returns. */
  insert(feedback: NewFeedback): StoredFeedback {
    return this.#insert(feedback);
  }

  get(id: string): StoredFeedback | null {
    const row = this.#db
      .prepare<[string], FeedbackRow>(`SELECT ${COLUMNS} FROM feedback WHERE id = ?`)
      .get(id);
    return row ? toStored(row) : null;
  }

  /** The label a prediction received, or null. */
  forPrediction(predictionId: string): StoredFeedback | null {
    const row = this.#db
      .prepare<[string], FeedbackRow>(`SELECT ${COLUMNS} FROM feedback WHERE prediction_id = ?`)
      .get(predictionId);
    return row ? toStored(row) : null;
  }

  /** Labels, newest first. */
  list(query: FeedbackQuery = {}): StoredFeedback[] {
    const where = query.model === undefined ? '' : 'WHERE model = ?';
    const values: unknown[] = query.model === undefined ? [] : [query.model];
    return this.#db
      .prepare<unknown[], FeedbackRow>(
        `SELECT ${COLUMNS} FROM feedback ${where} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...values, query.limit ?? 50)
      .map(toStored);
  }

  /** The input a label was given for. */
  input(id: string): { pixels: Uint8Array; height: number; width: number } | null {
    const row = this.#db
      .prepare<[string], { input: Buffer; height: number; width: number }>(
        'SELECT input, height, width FROM feedback WHERE id = ?',
      )
      .get(id);
    return row ? { pixels: new Uint8Array(row.input), height: row.height, width: row.width } : null;
  }

  counts(model: string): FeedbackCounts {
    return this.#db
      .prepare<[string], FeedbackCounts>(
        `SELECT COUNT(*) AS total,
                COALESCE(SUM(used = 0), 0) AS unused,
                COALESCE(SUM(used = 0 AND retrain IS NULL), 0) AS pending,
                COALESCE(SUM(held_out), 0) AS heldOut
         FROM feedback WHERE model = ?`,
      )
      .get(model)!;
  }

  /** Each version's feedback on its own predictions: how much, and how much confirmed them. */
  byVersion(model: string): Map<number, VersionFeedback> {
    const rows = this.#db
      .prepare<[string], { version: number; count: number; correct: number }>(
        `SELECT version, COUNT(*) AS count, SUM(label = predicted) AS correct
         FROM feedback WHERE model = ? AND version IS NOT NULL GROUP BY version`,
      )
      .all(model);
    return new Map(rows.map((row) => [row.version, { count: row.count, correct: row.correct }]));
  }

  /** Every held-out label of the model: what the gate judges versions on. */
  heldOut(model: string): LabelledExamples {
    return this.#examples('WHERE model = ? AND held_out = 1', [model]);
  }

  #examples(where: string, values: unknown[]): LabelledExamples {
    return readExamples(this.#db, where, values);
  }
}

/**
 * Labelled examples of the feedback table that match `where`, in the order they were given.
 * Shared with the snapshot builder, which reads the database on its own connection.
 */
export function readExamples(
  db: Database.Database,
  where: string,
  values: unknown[],
): LabelledExamples {
  const rows = db
    .prepare<unknown[], { input: Buffer; height: number; width: number; label: number }>(
      `SELECT input, height, width, label FROM feedback ${where} ORDER BY seq`,
    )
    .all(...values);
  const height = rows[0]?.height ?? 0;
  const width = rows[0]?.width ?? 0;
  const pixels = new Uint8Array(rows.length * height * width);
  const labels = new Uint8Array(rows.length);
  rows.forEach((row, i) => {
    if (row.height !== height || row.width !== width) {
      throw new Error(
        `label ${i + 1} is ${row.height}×${row.width}, the first ${height}×${width}: a snapshot holds images of one size`,
      );
    }
    pixels.set(row.input, i * height * width);
    labels[i] = row.label;
  });
  return { count: rows.length, height, width, pixels, labels };
}
