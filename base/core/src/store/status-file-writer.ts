import type { ArtifactSummary } from '@kiln/api';
import { writeJsonAtomic } from '../util/atomic-write.js';

/**
 * Mirrors summaries to each artifact's `status.json` off the request path. The index is the
 * source of truth; the file is for operators. Writes for one artifact are serialised and
 * coalesced, so the file always ends with the latest state.
 */
export class StatusFileWriter {
  readonly #pending = new Map<string, { path: string; summary: ArtifactSummary }>();
  readonly #inFlight = new Map<string, Promise<void>>();

  write(path: string, summary: ArtifactSummary): void {
    this.#pending.set(summary.name, { path, summary });
    if (!this.#inFlight.has(summary.name)) this.#inFlight.set(summary.name, this.#drain(summary.name));
  }

  /** Resolves once nothing is being written for `name` (before its folder is removed). */
  async settled(name: string): Promise<void> {
    this.#pending.delete(name);
    await this.#inFlight.get(name);
  }

  async flush(): Promise<void> {
    await Promise.all(this.#inFlight.values());
  }

  async #drain(name: string): Promise<void> {
    for (let next = this.#pending.get(name); next; next = this.#pending.get(name)) {
      this.#pending.delete(name);
      // A folder removed meanwhile is not an error: the artifact is gone.
      await writeJsonAtomic(next.path, next.summary).catch(() => undefined);
    }
    this.#inFlight.delete(name);
  }
}
