import type { ArtifactSummary, DataFileEntry } from '@kiln/api';
import type { BuildInputs, IndexedArtifact } from './artifact-row.js';

/**
 * A claim on one build: who holds it, until when, and the fencing token every later write of
 * the build must present. The token grows with every claim of the artifact, so a holder whose
 * lease was lost (a stale replica, an interrupted attempt) can never write over a newer one.
 */
export interface BuildLease {
  name: string;
  attempt: number;
  /** The process (replica) that holds the build. */
  owner: string;
  token: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Why a replica is asked to stop a build another replica may hold. */
export const StopRequest = {
  Cancel: 'cancel',
  Delete: 'delete',
} as const;
export type StopRequest = (typeof StopRequest)[keyof typeof StopRequest];

/** A lease just extended, with the stop asked of its build meanwhile (if any). */
export interface RenewedLease extends BuildLease {
  stopRequested: StopRequest | null;
}

/** A build the queue handed to a worker: its row (now in progress) and what the build reads. */
export interface ClaimedBuild extends BuildInputs {
  lease: BuildLease;
  artifact: IndexedArtifact;
}

/** How a claimed build ends, as committed through its lease. */
export type BuildCommit =
  | { status: 'completed'; files: DataFileEntry[]; digest: string }
  | { status: 'failed'; error: string }
  | { status: 'cancelled'; message: string | null };

/** A build found abandoned by its owner, and what recovery made of it. */
export interface RecoveredBuild {
  /** `queued` again, `failed` (attempts spent) or `cancelled` (a stop was asked of it). */
  summary: ArtifactSummary;
  /** True when its attempts were spent and it failed. */
  gaveUp: boolean;
}

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  /** The GPU of the worker that claims, recorded in the row. */
  gpu: number | null;
}

/**
 * The durable queue of builds: the queued rows of the index, oldest first. A worker claims the
 * oldest ready build, renews its lease while it builds, and ends it with a commit fenced by the
 * lease. In the embedded SQLite index the lease is trivial (one process holds every build), but
 * the columns and the fencing are the same a shared database uses.
 */
export interface BuildQueue {
  /** Claims the oldest ready queued build (FIFO): it becomes in-progress under a new lease. */
  claim(options: ClaimOptions): Promise<ClaimedBuild | null>;
  /**
   * Extends a lease; null when it was lost (the build must stop and must not commit). The
   * answer says whether a stop was asked of the build meanwhile (see `requestStop`).
   */
  renew(lease: BuildLease, leaseMs: number): Promise<RenewedLease | null>;
  /**
   * Records that an in-progress build is to be stopped, for whichever process holds it (it
   * hears it through the `EventHub`, or at its next renewal); a build whose holder is gone ends
   * `cancelled` when it is recovered. Resolves false when the build is not in progress.
   */
  requestStop(name: string, request: StopRequest): Promise<boolean>;
  /** Records progress of a build still held under `lease`; null when fenced out. */
  progress(
    lease: BuildLease,
    fraction: number,
    message: string | null,
  ): Promise<ArtifactSummary | null>;
  /** Ends a build held under `lease`; null when fenced out (nothing changed). */
  commit(lease: BuildLease, result: BuildCommit): Promise<ArtifactSummary | null>;
  /**
   * Takes back builds whose owner is gone: each is queued again with `attempt` + 1, fails once
   * `maxAttempts` are spent, or ends `cancelled` when a stop was asked of it. For SQLite that is
   * every in-progress build not held by `owner` (the process that held it died); for a shared
   * database, every expired lease not held by `owner`.
   */
  recoverAbandoned(owner: string, maxAttempts: number): Promise<RecoveredBuild[]>;
  /** How many queued builds are ready to be claimed. */
  countReady(): Promise<number>;
}
