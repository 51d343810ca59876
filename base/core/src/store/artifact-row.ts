import type { ArtifactSummary, DataFileEntry, InputArtifactRef, InputFileEntry } from '@kiln/api';

/** One row of the index: the summary plus what the server needs to schedule and cache. */
export interface IndexedArtifact extends ArtifactSummary {
  cacheKey: string | null;
  digest: string | null;
  callback: string | null;
  callbackState: CallbackState | null;
  inputs: InputArtifactRef[];
  /** The GPU its latest attempt was given, or null (no GPUs configured, or not started). */
  gpu: number | null;
}

/** Where a callback delivery stands. */
export const CallbackState = {
  Pending: 'pending',
  Delivered: 'delivered',
  Abandoned: 'abandoned',
} as const;
export type CallbackState = (typeof CallbackState)[keyof typeof CallbackState];

/** The fields a state change may set. */
export type ArtifactPatch = Partial<
  Pick<
    IndexedArtifact,
    | 'status'
    | 'startedAt'
    | 'finishedAt'
    | 'progress'
    | 'message'
    | 'error'
    | 'attempt'
    | 'digest'
    | 'callbackState'
    | 'cached'
    | 'cachedFrom'
  >
>;

/** What a create stores beside the row: read by the build and by the record, never listed. */
export interface RowPayload {
  parameters: Record<string, unknown>;
  inputFiles: InputFileEntry[];
  /** The data files (a cached copy has them at once; a build records them when it completes). */
  files?: DataFileEntry[];
  /**
   * False while the create is still moving input files in: such a row is never built, and a
   * restart drops it. @defaultValue true
   */
  ready?: boolean;
}

/** The validated parameters and input files of an artifact, as stored at create time. */
export interface BuildInputs {
  parameters: Record<string, unknown>;
  inputFiles: InputFileEntry[];
}

/** The summary of docs/api.md from an index row (drops the server-side fields). */
export function toSummary(artifact: IndexedArtifact): ArtifactSummary {
  return {
    name: artifact.name,
    status: artifact.status,
    createdAt: artifact.createdAt,
    startedAt: artifact.startedAt,
    finishedAt: artifact.finishedAt,
    progress: artifact.progress,
    message: artifact.message,
    error: artifact.error,
    attempt: artifact.attempt,
    cached: artifact.cached,
    cachedFrom: artifact.cachedFrom,
  };
}
