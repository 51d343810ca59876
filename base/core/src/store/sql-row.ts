import type { ArtifactStatus, InputArtifactRef, InputFileEntry } from '@kiln/api';
import type { ArtifactPatch, CallbackState, IndexedArtifact } from './artifact-row.js';
import type { ClaimedBuild } from './build-queue.js';

/**
 * The columns of an `IndexedArtifact` (parameters and files are read only where needed), the
 * same in both SQL stores (SQLite, PostgreSQL).
 */
export const ROW_COLUMNS = `name, status, created_at, started_at, finished_at, progress, message, error, attempt,
  cached, cached_from, cache_key, digest, callback, callback_state, inputs, gpu`;

/** The column each field of an `ArtifactPatch` is written to. */
export const PATCH_COLUMNS: Readonly<Record<keyof ArtifactPatch, string>> = {
  status: 'status',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  progress: 'progress',
  message: 'message',
  error: 'error',
  attempt: 'attempt',
  digest: 'digest',
  callbackState: 'callback_state',
  cached: 'cached',
  cachedFrom: 'cached_from',
};

/**
 * A row as a driver returns the `ROW_COLUMNS`: SQLite has no boolean type (`cached` is 0 or 1),
 * PostgreSQL has.
 */
export interface Row {
  name: string;
  status: ArtifactStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  progress: number;
  message: string | null;
  error: string | null;
  attempt: number;
  cached: boolean | number;
  cached_from: string | null;
  cache_key: string | null;
  digest: string | null;
  callback: string | null;
  callback_state: CallbackState | null;
  inputs: string;
  gpu: number | null;
}

export function toArtifact(row: Row): IndexedArtifact {
  return {
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    progress: row.progress,
    message: row.message,
    error: row.error,
    attempt: row.attempt,
    cached: row.cached === true || row.cached === 1,
    cachedFrom: row.cached_from,
    cacheKey: row.cache_key,
    digest: row.digest,
    callback: row.callback,
    callbackState: row.callback_state,
    inputs: JSON.parse(row.inputs) as InputArtifactRef[],
    gpu: row.gpu,
  };
}

/** A claimed row: the artifact's columns with what its build needs and its new fencing token. */
export type ClaimRow = Row & { parameters: string; input_files: string; lease_token: number };

/** The build a claim returned, held by `owner` until `expiresAt` (milliseconds since the epoch). */
export function toClaimedBuild(row: ClaimRow, owner: string, expiresAt: number): ClaimedBuild {
  const artifact = toArtifact(row);
  return {
    artifact,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    inputFiles: JSON.parse(row.input_files) as InputFileEntry[],
    lease: {
      name: artifact.name,
      attempt: artifact.attempt,
      owner,
      token: row.lease_token,
      expiresAt,
    },
  };
}
