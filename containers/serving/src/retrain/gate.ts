import {
  GateMetric,
  type GateFigures,
  type GateVerdict,
  type ModelVersionInfo,
  type RetrainPolicy,
} from '@kiln/api';
import type { ArtifactFetcher } from '../registry/artifact-fetcher.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { EVALUATION_BATCH } from '../registry/version-registration.js';
import type { LabelledExamples } from '../store/feedback-store.js';

/** Images the gate sends a model process at once. */
const GATE_BATCH = 32;

/** What the gate needs. */
export interface GateOptions {
  registry: ModelRegistry;
  /** Fetches an evaluation set a champion is scored on again. */
  fetcher: ArtifactFetcher;
  /** The held-out labels of a model: what versions are judged on beside the test set. */
  heldOut(model: string): LabelledExamples;
}

/** The two versions the gate compares. */
export interface GateCase {
  model: string;
  challenger: number;
  /** The champion now; null when the model has none. */
  champion: number | null;
  policy: Pick<RetrainPolicy, 'metric' | 'margin'>;
}

const share = (value: number | null): string =>
  value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`;

function describeFigures(label: string, figures: GateFigures): string {
  return `${label} v${figures.version}: test ${share(figures.accuracy)}, held-out feedback ${share(figures.heldOutAccuracy)} (${figures.heldOutCorrect}/${figures.heldOutCount})`;
}

/**
 * The gate between a retrained model and the traffic: the challenger is scored on the test set
 * (its registration did that) and on the held-out feedback, the champion on the same, and the
 * challenger passes if its policy metric is at least the champion's minus the margin. A model
 * with no champion passes. Both versions are loaded while they are judged (each holds an
 * alias), so the held-out images go to their model processes like any request.
 */
export class Gate {
  readonly #options: GateOptions;

  constructor(options: GateOptions) {
    this.#options = options;
  }

  async judge(gate: GateCase): Promise<GateVerdict> {
    const { registry } = this.#options;
    const heldOut = this.#options.heldOut(gate.model);
    const challengerInfo = registry.version(gate.model, gate.challenger);
    const challenger = await this.#figures(challengerInfo, heldOut);
    const { metric, margin } = gate.policy;
    const at = new Date().toISOString();
    if (gate.champion === null) {
      return {
        promoted: true,
        metric,
        margin,
        challenger,
        champion: null,
        reason: `promoted: the model had no champion. ${describeFigures('challenger', challenger)}`,
        at,
      };
    }
    const champion = await this.#figures(
      registry.version(gate.model, gate.champion),
      heldOut,
      challengerInfo,
    );
    const mine = challenger[metric];
    const theirs = champion[metric];
    const figures = `${describeFigures('challenger', challenger)}; ${describeFigures('champion', champion)}`;
    if (mine === null || theirs === null) {
      const missing = mine === null ? 'challenger' : 'champion';
      return {
        promoted: false,
        metric,
        margin,
        challenger,
        champion,
        reason: `rejected: the ${missing} has no ${metric} (${metric === GateMetric.HeldOutAccuracy ? 'no label is held out yet' : 'no evaluation set'}). ${figures}`,
        at,
      };
    }
    const needed = theirs - margin;
    const promoted = mine >= needed - 1e-12;
    const comparison = `${metric} ${share(mine)} ${promoted ? '>=' : '<'} ${share(theirs)} - margin ${(margin * 100).toFixed(2)} points`;
    return {
      promoted,
      metric,
      margin,
      challenger,
      champion,
      reason: `${promoted ? 'promoted' : 'rejected'}: ${comparison}. ${figures}`,
      at,
    };
  }

  /**
   * A version's figures: its test accuracy (re-scored on `like`'s evaluation set when it was
   * scored on another) and its accuracy on the held-out labels.
   */
  async #figures(
    info: ModelVersionInfo,
    heldOut: LabelledExamples,
    like?: ModelVersionInfo,
  ): Promise<GateFigures> {
    let accuracy = info.figures?.accuracy ?? null;
    const wanted = like?.figures?.evaluation;
    const own = info.figures?.evaluation;
    if (wanted && (own?.dataset !== wanted.dataset || own.set !== wanted.set)) {
      accuracy = await this.#scoreOn(info, wanted);
    }
    const correct = await this.#heldOutCorrect(info, heldOut);
    return {
      version: info.version,
      accuracy,
      heldOutAccuracy: heldOut.count > 0 ? correct / heldOut.count : null,
      heldOutCorrect: correct,
      heldOutCount: heldOut.count,
    };
  }

  /** The share of an evaluation set a loaded version classifies right (null if it is empty). */
  async #scoreOn(
    info: ModelVersionInfo,
    evaluation: { dataset: string; set: string },
  ): Promise<number | null> {
    const { worker } = this.#options.registry.route(info.model, info.version);
    const dir = await this.#options.fetcher.fetchEvaluationSet(evaluation.dataset, evaluation.set);
    const scores = await worker.evaluate(dir, evaluation.set, EVALUATION_BATCH);
    return scores.count > 0 ? scores.correct / scores.count : null;
  }

  async #heldOutCorrect(info: ModelVersionInfo, heldOut: LabelledExamples): Promise<number> {
    if (heldOut.count === 0) return 0;
    const { worker, signature } = this.#options.registry.route(info.model, info.version);
    const size = heldOut.height * heldOut.width;
    const classes = signature.classes.length;
    let correct = 0;
    for (let from = 0; from < heldOut.count; from += GATE_BATCH) {
      const count = Math.min(GATE_BATCH, heldOut.count - from);
      const pixels = Float32Array.from(heldOut.pixels.subarray(from * size, (from + count) * size));
      const probabilities = await worker.infer(pixels, count);
      for (let i = 0; i < count; i++) {
        let best = 0;
        for (let c = 1; c < classes; c++) {
          if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
        }
        if (best === heldOut.labels[from + i]) correct += 1;
      }
    }
    return correct;
  }
}
