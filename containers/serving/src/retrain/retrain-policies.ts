import { GateMetric, type RetrainPolicy } from '@kiln/api';
import type { PolicyStore } from '../store/policy-store.js';
import { applyPolicyUpdate } from './policy-check.js';

/** Labels that start a retraining run unless a policy says otherwise (the original system's). */
const DEFAULT_THRESHOLD = 10;

/** Every fifth label is held out unless a policy says otherwise: a fifth of them, spread evenly. */
const DEFAULT_HOLD_OUT_EVERY = 5;

/** What {@link RetrainPolicies} needs. */
export interface RetrainPoliciesOptions {
  store: PolicyStore;
  /** The pipeline a model retrains with by default: the one it is served from, or null. */
  defaultPipeline(model: string): string | null;
  /** What is wrong with a pipeline a policy names (unknown, not a pipeline), or null. */
  checkPipeline(name: string): Promise<string | null>;
}

/**
 * Each model's retraining policy: the one `PUT /models/{model}/policy` last set, else the
 * defaults (retrain with the pipeline the model is served from after 10 labels, promote if at
 * least as accurate on the test set, hold out every fifth label).
 */
export class RetrainPolicies {
  readonly #options: RetrainPoliciesOptions;

  constructor(options: RetrainPoliciesOptions) {
    this.#options = options;
  }

  get(model: string): RetrainPolicy {
    return this.#options.store.get(model) ?? this.defaults(model);
  }

  /** The policy of a model whose policy was never set. */
  defaults(model: string): RetrainPolicy {
    const pipeline = this.#options.defaultPipeline(model);
    return {
      enabled: pipeline !== null,
      threshold: DEFAULT_THRESHOLD,
      pipeline,
      metric: GateMetric.Accuracy,
      margin: 0,
      holdOutEvery: DEFAULT_HOLD_OUT_EVERY,
    };
  }

  /**
   * Changes the fields `body` gives (checked first: a 422 stores nothing), and returns the
   * policy now in force.
   */
  async update(model: string, body: Record<string, unknown>): Promise<RetrainPolicy> {
    const policy = await applyPolicyUpdate(this.get(model), body, (name) =>
      this.#options.checkPipeline(name),
    );
    this.#options.store.set(model, policy);
    return policy;
  }
}
