/**
 * Wire types of the serving container's feedback loop (docs/api.md, "Serving container"):
 * feedback on predictions and freshly labelled images, the retraining policy of a model, the
 * retraining runs it starts, and the gate that promotes or rejects their models.
 */

/** The figures a gate may compare, by name (a policy's `metric`). */
export const GateMetric = {
  /** Accuracy on the version's evaluation set (the test set of the run that made the champion). */
  Accuracy: 'accuracy',
  /** Accuracy on the held-out feedback: labels given by people and never trained on. */
  HeldOutAccuracy: 'heldOutAccuracy',
} as const;
export type GateMetric = (typeof GateMetric)[keyof typeof GateMetric];

export const GATE_METRICS: readonly GateMetric[] = Object.values(GateMetric);

/**
 * `GET /models/{model}/policy`: when and how a model retrains on the labels people give it.
 * When `threshold` labels no completed retraining counted have accrued, the serving container
 * snapshots the labelled examples and starts one run of `pipeline`; the run's model becomes
 * `challenger` and is promoted only if its `metric` is at least the champion's minus `margin`.
 */
export interface RetrainPolicy {
  /** Whether labels start a retraining run by themselves (a run can always be started by hand). */
  enabled: boolean;
  /** Labels that start a retraining run. @defaultValue 10 */
  threshold: number;
  /**
   * The pipeline to run: its service name in `docker-compose.yml` (`fashion-mnist`); null while
   * the container knows none for the model. @defaultValue the pipeline the model is served from
   */
  pipeline: string | null;
  /** @defaultValue 'accuracy' */
  metric: GateMetric;
  /**
   * How much worse than the champion a challenger may be and still be promoted, as a share
   * (0.01: one point of accuracy). A negative margin asks the challenger to beat the champion.
   * @defaultValue 0
   */
  margin: number;
  /**
   * Every `holdOutEvery`-th label of the model is held out: never trained on, used only to
   * judge versions (extension). 0 holds none out. @defaultValue 5
   */
  holdOutEvery: number;
}

/** Body of `PUT /models/{model}/policy`: the fields to change; the others keep their value. */
export type RetrainPolicyUpdate = Partial<RetrainPolicy>;

/** Body of `POST /feedback` (JSON): the right label of a prediction, by class index or name. */
export interface FeedbackRequest {
  predictionId: string;
  label: number | string;
}

/** `POST /feedback`'s answer and `GET /feedback` entries. */
export interface FeedbackInfo {
  id: string;
  model: string;
  /** The prediction it corrects or confirms; null for a labelled image never predicted. */
  predictionId: string | null;
  /** The right class index. */
  label: number;
  /** Its class name (extension). */
  class: string;
  /** Whether a completed retraining run has counted it. */
  used: boolean;
  /** Held out from training, to judge versions by (extension; see {@link RetrainPolicy}). */
  heldOut: boolean;
  /** The version that made the prediction, and the class it predicted; null for an image. */
  version: number | null;
  predicted: number | null;
  /** The retraining run that holds it while it runs (extension); null otherwise. */
  retrain: number | null;
  createdAt: string;
}

/** `GET /feedback/stats?model=`: progress toward the next retraining run. */
export interface FeedbackStats {
  /** The model the figures are of (extension). */
  model: string;
  /** Every label the model received. */
  total: number;
  /** Labels no completed retraining run has counted (those of a run in flight included). */
  unused: number;
  /** Labels waiting for the next run: unused and not held by a run in flight (extension). */
  pending: number;
  /** Labels held out from training (extension). */
  heldOut: number;
  threshold: number;
  /** The retraining run in flight, if any. */
  retraining: null | { pipeline: string; run: string; id: number };
}

/** What the `feedback` event of `/events` carries: the new label and the model's progress. */
export interface FeedbackEvent {
  feedback: FeedbackInfo;
  stats: FeedbackStats;
}

/**
 * Where a retraining run stands. `snapshotting`: its labels are being written as a
 * labelled-dataset artifact; `running`: the pipeline run is under way; `gating`: its model is
 * being loaded, evaluated and judged; then `promoted`, `rejected`, `failed` or `cancelled`.
 */
export const RetrainStatus = {
  Snapshotting: 'snapshotting',
  Running: 'running',
  Gating: 'gating',
  Promoted: 'promoted',
  Rejected: 'rejected',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type RetrainStatus = (typeof RetrainStatus)[keyof typeof RetrainStatus];

/** Whether a retraining run has ended. */
export function isFinalRetrainStatus(status: RetrainStatus): boolean {
  return (
    status === RetrainStatus.Promoted ||
    status === RetrainStatus.Rejected ||
    status === RetrainStatus.Failed ||
    status === RetrainStatus.Cancelled
  );
}

/** What started a retraining run. */
export const RetrainTrigger = { Threshold: 'threshold', Manual: 'manual' } as const;
export type RetrainTrigger = (typeof RetrainTrigger)[keyof typeof RetrainTrigger];

/** One version's figures as the gate compared them. */
export interface GateFigures {
  version: number;
  /** Accuracy on the evaluation set (the test set). */
  accuracy: number | null;
  /** Accuracy on the held-out feedback; null when none is held out. */
  heldOutAccuracy: number | null;
  heldOutCorrect: number;
  heldOutCount: number;
}

/** The gate's verdict on a retrained model. */
export interface GateVerdict {
  promoted: boolean;
  metric: GateMetric;
  margin: number;
  challenger: GateFigures;
  /** The champion it was held against; null when the model had none (promoted at once). */
  champion: GateFigures | null;
  /** The verdict in words, with both versions' figures. */
  reason: string;
  at: string;
}

/** `GET /models/{model}/retrains` entries and the `retrain` event. */
export interface RetrainInfo {
  id: number;
  model: string;
  /** The pipeline's service name. */
  pipeline: string;
  /** The run's name, fixed before it starts (`<model>-retrain-<id>`). */
  run: string;
  trigger: RetrainTrigger;
  status: RetrainStatus;
  /** Labels it counts: those it trains on and those held out. */
  labels: number;
  /** Labelled examples in its snapshot (every label ever given that is not held out). */
  trained: number;
  /** URL of the snapshot (a labelled-dataset artifact of this container), once made. */
  snapshot: string | null;
  /** The version its model became, once registered. */
  version: number | null;
  verdict: GateVerdict | null;
  /** Why it failed or was cancelled. */
  reason: string | null;
  createdAt: string;
  finishedAt: string | null;
}
