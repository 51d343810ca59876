import {
  MODEL_ALIASES,
  ModelVersionStatus,
  type ModelAlias,
  type ModelVersionInfo,
  type RetrainPolicy,
} from '@kiln/api';
import { VersionState, type VersionRecord } from '../store/registry-store.js';
import { WorkerState, type VersionWorker } from '../workers/version-worker.js';

/**
 * The status clients see: the durable state, refined by whether a process has the version
 * loaded (`ready`), is loading it (`loading`), or none does (`retired`).
 */
export function versionStatus(
  record: VersionRecord,
  worker: VersionWorker | undefined,
): ModelVersionStatus {
  if (record.state === VersionState.Registering) return ModelVersionStatus.Loading;
  if (record.state === VersionState.Failed) return ModelVersionStatus.Failed;
  if (record.state === VersionState.Rejected) return ModelVersionStatus.Rejected;
  if (!worker) return ModelVersionStatus.Retired;
  return worker.state === WorkerState.Ready ? ModelVersionStatus.Ready : ModelVersionStatus.Loading;
}

/** The feedback a version's predictions received: how much, and how much confirmed them. */
export interface VersionFeedbackFigures {
  count: number;
  correct: number;
}

/** What the feedback loop adds to the registry's answers: live figures and the policy. */
export interface ModelAnnotations {
  /** Each version's feedback on its own predictions, by version. */
  versionFeedback(model: string): ReadonlyMap<number, VersionFeedbackFigures>;
  policy(model: string): RetrainPolicy;
  /** Labels received, and those no completed retraining counted yet. */
  feedback(model: string): { total: number; unused: number };
}

/** A version as `GET /models/{model}/versions` shows it. */
export function versionInfo(
  record: VersionRecord,
  worker: VersionWorker | undefined,
  aliases: Partial<Record<ModelAlias, number>>,
  feedback: VersionFeedbackFigures = { count: 0, correct: 0 },
): ModelVersionInfo {
  return {
    model: record.model,
    version: record.version,
    artifact: record.artifact,
    status: versionStatus(record, worker),
    figures: record.figures,
    feedbackAccuracy: feedback.count > 0 ? feedback.correct / feedback.count : null,
    feedbackCount: feedback.count,
    createdAt: record.createdAt,
    reason: record.reason,
    aliases: MODEL_ALIASES.filter((alias) => aliases[alias] === record.version),
    signature: record.signature,
    source: record.source,
  };
}
