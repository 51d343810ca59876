import type { AliasChange, ModelAlias, ModelSignature, VersionFigures } from '@kiln/api';
import type Database from 'better-sqlite3';

/**
 * A version's durable state. The status clients see (`ready`, `retired`, …) also depends on
 * whether a process has it loaded, which only the running server knows.
 */
export const VersionState = {
  /** Being fetched, loaded, warmed up and evaluated (again after a restart). */
  Registering: 'registering',
  /** Evaluated: may serve. */
  Available: 'available',
  Failed: 'failed',
  Rejected: 'rejected',
} as const;
export type VersionState = (typeof VersionState)[keyof typeof VersionState];

/** The dataset a version is evaluated on. */
export interface EvaluationRef {
  dataset: string;
  set: string;
}

/** The pipeline run a version came from. */
export interface VersionSource {
  pipeline: string;
  run: string;
}

/** One version as the store keeps it. */
export interface VersionRecord {
  model: string;
  version: number;
  artifact: string;
  state: VersionState;
  /** 1, or more when a registration interrupted by a restart was started again. */
  attempt: number;
  /** The model artifact's digest, once fetched. */
  digest: string | null;
  figures: VersionFigures | null;
  signature: ModelSignature | null;
  evaluation: EvaluationRef | null;
  source: VersionSource | null;
  reason: string | null;
  createdAt: string;
}

/** The fields a registration step may set. */
export type VersionPatch = Partial<
  Pick<VersionRecord, 'state' | 'attempt' | 'digest' | 'figures' | 'signature' | 'reason'>
>;

interface VersionRow {
  model: string;
  version: number;
  artifact: string;
  state: VersionState;
  attempt: number;
  digest: string | null;
  figures: string | null;
  signature: string | null;
  evaluation: string | null;
  source: string | null;
  reason: string | null;
  created_at: string;
}

const parse = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);
const json = (value: unknown): string | null => (value == null ? null : JSON.stringify(value));

function toRecord(row: VersionRow): VersionRecord {
  return {
    model: row.model,
    version: row.version,
    artifact: row.artifact,
    state: row.state,
    attempt: row.attempt,
    digest: row.digest,
    figures: parse<VersionFigures>(row.figures),
    signature: parse<ModelSignature>(row.signature),
    evaluation: parse<EvaluationRef>(row.evaluation),
    source: parse<VersionSource>(row.source),
    reason: row.reason,
    createdAt: row.created_at,
  };
}

/**
 * Models, versions, aliases and the history of alias moves, in the serving database. Every
 * method is one transaction, so a `kill -9` leaves either the old state or the new one.
 */
export class RegistryStore {
  readonly #db: Database.Database;
  readonly #statements;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = {
      insertModel: db.prepare('INSERT OR IGNORE INTO models (name, created_at) VALUES (?, ?)'),
      models: db.prepare<[], { name: string }>('SELECT name FROM models ORDER BY name'),
      nextVersion: db.prepare<[string], { next: number }>(
        'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM versions WHERE model = ?',
      ),
      insertVersion: db.prepare(
        `INSERT INTO versions (model, version, artifact, state, evaluation, source, created_at)
         VALUES (@model, @version, @artifact, @state, @evaluation, @source, @createdAt)`,
      ),
      version: db.prepare<[string, number], VersionRow>(
        'SELECT * FROM versions WHERE model = ? AND version = ?',
      ),
      versions: db.prepare<[string], VersionRow>(
        'SELECT * FROM versions WHERE model = ? ORDER BY version DESC',
      ),
      inState: db.prepare<[string], VersionRow>(
        'SELECT * FROM versions WHERE state = ? ORDER BY model, version',
      ),
      aliases: db.prepare<[string], { alias: ModelAlias; version: number }>(
        'SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias',
      ),
      setAlias: db.prepare(
        'INSERT INTO aliases (model, alias, version) VALUES (?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version',
      ),
      clearAlias: db.prepare('DELETE FROM aliases WHERE model = ? AND alias = ?'),
      record: db.prepare(
        'INSERT INTO alias_history (model, alias, version, previous, at) VALUES (?, ?, ?, ?, ?)',
      ),
      history: db.prepare<
        [string, number],
        { alias: ModelAlias; version: number | null; previous: number | null; at: string }
      >(
        'SELECT alias, version, previous, at FROM alias_history WHERE model = ? ORDER BY seq DESC LIMIT ?',
      ),
    };
  }

  /** Model names, sorted. */
  models(): string[] {
    return this.#statements.models.all().map((row) => row.name);
  }

  hasModel(name: string): boolean {
    return this.models().includes(name);
  }

  /** Creates the model if needed and its next version, in state `registering`. */
  createVersion(
    model: string,
    fields: { artifact: string; evaluation: EvaluationRef | null; source: VersionSource | null },
  ): VersionRecord {
    const createdAt = new Date().toISOString();
    return this.#db.transaction(() => {
      this.#statements.insertModel.run(model, createdAt);
      const version = this.#statements.nextVersion.get(model)!.next;
      this.#statements.insertVersion.run({
        model,
        version,
        artifact: fields.artifact,
        state: VersionState.Registering,
        evaluation: json(fields.evaluation),
        source: json(fields.source),
        createdAt,
      });
      return this.version(model, version)!;
    })();
  }

  version(model: string, version: number): VersionRecord | null {
    const row = this.#statements.version.get(model, version);
    return row ? toRecord(row) : null;
  }

  /** A model's versions, newest first. */
  versions(model: string): VersionRecord[] {
    return this.#statements.versions.all(model).map(toRecord);
  }

  /** Every version in a state (in model and version order). */
  versionsIn(state: VersionState): VersionRecord[] {
    return this.#statements.inState.all(state).map(toRecord);
  }

  /** Applies a patch and returns the updated version. */
  updateVersion(model: string, version: number, patch: VersionPatch): VersionRecord {
    const columns: Record<string, unknown> = {};
    if (patch.state !== undefined) columns['state'] = patch.state;
    if (patch.attempt !== undefined) columns['attempt'] = patch.attempt;
    if (patch.digest !== undefined) columns['digest'] = patch.digest;
    if (patch.figures !== undefined) columns['figures'] = json(patch.figures);
    if (patch.signature !== undefined) columns['signature'] = json(patch.signature);
    if (patch.reason !== undefined) columns['reason'] = patch.reason;
    const names = Object.keys(columns);
    if (names.length > 0) {
      this.#db
        .prepare(
          `UPDATE versions SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE model = @model AND version = @version`,
        )
        .run({ ...columns, model, version });
    }
    return this.version(model, version)!;
  }

  /** Alias → version for a model. */
  aliases(model: string): Partial<Record<ModelAlias, number>> {
    const result: Partial<Record<ModelAlias, number>> = {};
    for (const row of this.#statements.aliases.all(model)) result[row.alias] = row.version;
    return result;
  }

  /**
   * Moves (or clears, with null) several aliases of a model in one transaction and records each
   * move in the history. Aliases already where they are asked to be are left alone.
   */
  moveAliases(model: string, moves: Partial<Record<ModelAlias, number | null>>): AliasChange[] {
    const at = new Date().toISOString();
    return this.#db.transaction(() => {
      const current = this.aliases(model);
      const changes: AliasChange[] = [];
      for (const [alias, version] of Object.entries(moves) as [ModelAlias, number | null][]) {
        const previous = current[alias] ?? null;
        if (previous === version) continue;
        if (version === null) this.#statements.clearAlias.run(model, alias);
        else this.#statements.setAlias.run(model, alias, version);
        this.#statements.record.run(model, alias, version, previous, at);
        changes.push({ model, alias, version, previous, at });
      }
      return changes;
    })();
  }

  /** The latest alias moves of a model, newest first. */
  history(model: string, limit = 20): AliasChange[] {
    return this.#statements.history.all(model, limit).map((row) => ({ model, ...row }));
  }
}
