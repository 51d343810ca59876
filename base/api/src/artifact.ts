/**
 * Where a container keeps its artifacts: tools under `/artifacts`, pipelines (whose artifacts
 * are runs) under `/runs`.
 */
export const Collection = { Artifacts: 'artifacts', Runs: 'runs' } as const;
export type Collection = (typeof Collection)[keyof typeof Collection];

/** The lifecycle states of an artifact (docs/api.md, Artifact lifecycle). */
export const ArtifactStatus = {
  Queued: 'queued',
  InProgress: 'in-progress',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type ArtifactStatus = (typeof ArtifactStatus)[keyof typeof ArtifactStatus];

export const ARTIFACT_STATUSES: readonly ArtifactStatus[] = Object.values(ArtifactStatus);

/** States an artifact never leaves. */
export const FINAL_STATUSES: readonly ArtifactStatus[] = ['completed', 'failed', 'cancelled'];

export function isFinalStatus(status: ArtifactStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** The summary used in every listing and in `/events`. */
export interface ArtifactSummary {
  name: string;
  status: ArtifactStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: number;
  message: string | null;
  error: string | null;
  attempt: number;
  cached: boolean;
  cachedFrom: string | null;
}

/** `GET /artifacts/{name}/status`. */
export type ArtifactStatusResponse = ArtifactSummary;

/** One file of an artifact's data. `sha256` is a Kiln extension. */
export interface DataFileEntry {
  path: string;
  size: number;
  sha256?: string;
}

/** An artifact reference the build consumed (a `format: kiln-artifact` parameter). */
export interface InputArtifactRef {
  parameter: string;
  url: string;
  digest: string | null;
}

/** `GET /artifacts/{name}/input-files` entries. */
export interface InputFileEntry {
  name: string;
  filename: string;
  size: number;
  sha256: string;
}

/** `GET /artifacts/{name}/`: the full record. */
export interface ArtifactRecord extends ArtifactSummary {
  parameters: Record<string, unknown>;
  inputFiles: InputFileEntry[];
  files: DataFileEntry[];
  metrics: string[];
  inputs: InputArtifactRef[];
  digest: string | null;
  /**
   * The GPU the build ran on (`CUDA_VISIBLE_DEVICES` of its mule) when the container was given
   * GPUs, else null. A Kiln extension: other servers may leave it out.
   */
  gpu?: number | null;
}

/** Body of a JSON create request (`POST /artifacts`). */
export interface CreateArtifactRequest {
  name?: string;
  parameters?: Record<string, unknown>;
  cache?: boolean;
  callback?: string;
}
