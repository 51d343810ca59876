import {
  MODEL_ALIASES,
  ModelVersionStatus,
  type ModelAlias,
  type ModelVersionInfo,
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

/** A version as `GET /models/{model}/versions` shows it. */
export function versionInfo(
  record: VersionRecord,
  worker: VersionWorker | undefined,
  aliases: Partial<Record<ModelAlias, number>>,
): ModelVersionInfo {
  return {
    model: record.model,
    version: record.version,
    artifact: record.artifact,
    status: versionStatus(record, worker),
    figures: record.figures,
    feedbackAccuracy: null,
    createdAt: record.createdAt,
    reason: record.reason,
    aliases: MODEL_ALIASES.filter((alias) => aliases[alias] === record.version),
    signature: record.signature,
    source: record.source,
  };
}
