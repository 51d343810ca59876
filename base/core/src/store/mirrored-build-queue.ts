import type { ArtifactSummary } from '@kiln/api';
import type {
  BuildCommit,
  BuildLease,
  BuildQueue,
  ClaimedBuild,
  ClaimOptions,
  RecoveredBuild,
  RenewedLease,
  StopRequest,
} from './build-queue.js';
import { toSummary } from './artifact-row.js';
import type { MirrorFileWriter } from './mirror-file-writer.js';
import type { ArtifactPaths } from './store-layout.js';

/**
 * A `BuildQueue` that mirrors each state change it makes to the artifact's `status.json`, as the
 * store does for its own changes. Progress is left to the next state change: it changes too
 * often to be worth a file write each time.
 */
export class MirroredBuildQueue implements BuildQueue {
  readonly #queue: BuildQueue;
  readonly #mirrors: MirrorFileWriter;
  readonly #paths: (name: string) => ArtifactPaths;

  constructor(
    queue: BuildQueue,
    mirrors: MirrorFileWriter,
    paths: (name: string) => ArtifactPaths,
  ) {
    this.#queue = queue;
    this.#mirrors = mirrors;
    this.#paths = paths;
  }

  async claim(options: ClaimOptions): Promise<ClaimedBuild | null> {
    const claimed = await this.#queue.claim(options);
    if (claimed) this.#mirror(toSummary(claimed.artifact));
    return claimed;
  }

  renew(lease: BuildLease, leaseMs: number): Promise<RenewedLease | null> {
    return this.#queue.renew(lease, leaseMs);
  }

  requestStop(name: string, request: StopRequest): Promise<boolean> {
    return this.#queue.requestStop(name, request);
  }

  progress(
    lease: BuildLease,
    fraction: number,
    message: string | null,
  ): Promise<ArtifactSummary | null> {
    return this.#queue.progress(lease, fraction, message);
  }

  async commit(lease: BuildLease, result: BuildCommit): Promise<ArtifactSummary | null> {
    const summary = await this.#queue.commit(lease, result);
    if (summary) this.#mirror(summary);
    return summary;
  }

  async recoverAbandoned(owner: string, maxAttempts: number): Promise<RecoveredBuild[]> {
    const recovered = await this.#queue.recoverAbandoned(owner, maxAttempts);
    for (const { summary } of recovered) this.#mirror(summary);
    return recovered;
  }

  countReady(): Promise<number> {
    return this.#queue.countReady();
  }

  #mirror(summary: ArtifactSummary): void {
    this.#mirrors.writeJson(summary.name, this.#paths(summary.name).status, summary);
  }
}
