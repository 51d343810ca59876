import type { ArtifactStatus, DataFileEntry } from '@kiln/api';
import type { ArtifactPatch, BuildInputs, IndexedArtifact, RowPayload } from './artifact-row.js';

/**
 * The index of a tool container's artifacts: one row per artifact, the source of truth for its
 * state. Asynchronous, so that a shared database can stand behind it as well as the embedded
 * SQLite file (`SqliteArtifactIndex`). The queue's claims and leases are the `BuildQueue`'s.
 */
export interface ArtifactIndex {
  /**
   * Inserts a row; the unique name makes this the lock that turns a race for a name into one
   * winner. Resolves false when the name is taken.
   */
  insert(artifact: IndexedArtifact, payload: RowPayload): Promise<boolean>;
  /** Lets a row inserted with `ready: false` be built (its input files are in place). */
  markReady(name: string): Promise<void>;
  /** Rows whose create never finished (the process died while moving their input files). */
  unreadyNames(): Promise<string[]>;
  /** The listing of `GET /artifacts` as JSON text, newest first. */
  listJson(status?: ArtifactStatus): Promise<string>;
  get(name: string): Promise<IndexedArtifact | null>;
  /** The rows of one status, newest first. */
  list(status: ArtifactStatus): Promise<IndexedArtifact[]>;
  buildInputs(name: string): Promise<BuildInputs | null>;
  /** The data files recorded when the artifact completed. */
  files(name: string): Promise<DataFileEntry[]>;
  /** The newest completed, uncached artifact with this cache key. */
  findCompletedByCacheKey(cacheKey: string): Promise<IndexedArtifact | null>;
  countByStatus(): Promise<Partial<Record<ArtifactStatus, number>>>;
  withPendingCallbacks(): Promise<IndexedArtifact[]>;
  /**
   * Takes the delivery of a pending callback for `leaseMs`, so that one process sends it:
   * resolves true when the callback is pending and unclaimed, claimed by `owner` already, or
   * claimed by another whose claim ran out.
   */
  claimCallback(name: string, owner: string, leaseMs: number): Promise<boolean>;
  allNames(): Promise<Set<string>>;
  /**
   * Applies a patch; with `onlyIf`, only while the row still has that status. Resolves whether
   * it applied.
   */
  update(name: string, patch: ArtifactPatch, onlyIf?: ArtifactStatus): Promise<boolean>;
  remove(name: string): Promise<void>;
}
