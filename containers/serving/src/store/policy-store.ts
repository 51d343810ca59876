import type { RetrainPolicy } from '@kiln/api';
import type Database from 'better-sqlite3';

/**
 * Each model's retraining policy, as last set by `PUT /models/{model}/policy`. A model whose
 * policy was never set has none here, and gets the container's defaults.
 */
export class PolicyStore {
  readonly #get: Database.Statement<[string], { policy: string }>;
  readonly #set: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT policy FROM policies WHERE model = ?');
    this.#set = db.prepare(
      'INSERT INTO policies (model, policy) VALUES (?, ?) ON CONFLICT (model) DO UPDATE SET policy = excluded.policy',
    );
  }

  /** The stored policy, or null when it was never set. */
  get(model: string): RetrainPolicy | null {
    const row = this.#get.get(model);
    return row ? (JSON.parse(row.policy) as RetrainPolicy) : null;
  }

  set(model: string, policy: RetrainPolicy): void {
    this.#set.run(model, JSON.stringify(policy));
  }
}
