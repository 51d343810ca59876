import type { ArtifactStatus, InputArtifactRef } from '@kiln/api';
import type { CallbackState, IndexedArtifact } from '../artifact-row.js';

/** The columns of an `IndexedArtifact` (parameters and files are read only where needed). */
export const ROW_COLUMNS = `name, status, created_at, started_at, finished_at, progress, message, error, attempt,
  cached, cached_from, cache_key, digest, callback, callback_state, inputs, gpu`;

/** One summary as a JSON object, in docs/api.md's field order. */
export const SUMMARY_JSON = `json_build_object('name', name, 'status', status,
  'createdAt', created_at, 'startedAt', started_at, 'finishedAt', finished_at,
  'progress', progress, 'message', message, 'error', error, 'attempt', attempt,
  'cached', cached, 'cachedFrom', cached_from)`;

/** A row as node-postgres returns the `ROW_COLUMNS`. */
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
  cached: boolean;
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
    cached: row.cached,
    cachedFrom: row.cached_from,
    cacheKey: row.cache_key,
    digest: row.digest,
    callback: row.callback,
    callbackState: row.callback_state,
    inputs: JSON.parse(row.inputs) as InputArtifactRef[],
    gpu: row.gpu,
  };
}

/** `ms` milliseconds as a PostgreSQL interval expression over parameter `$n`. */
export function millis(n: number): string {
  return `($${n}::double precision * interval '1 millisecond')`;
}
