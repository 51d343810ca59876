import { isFinalStatus, type ArtifactSummary } from '@kiln/api';
import type { EventHub, Unsubscribe } from '../events/event-hub.js';

/**
 * Watches one artifact for a final state from the moment it is made, so that a caller can read
 * the artifact's state afterwards without missing a change that lands in between (a read from a
 * shared database takes a round trip, during which another replica may finish the build).
 */
export class FinalWatch {
  /** The final summary announced, once one was. */
  final: ArtifactSummary | null = null;
  #wake: (() => void) | null = null;
  readonly #stop: Unsubscribe;

  constructor(events: EventHub, name: string) {
    this.#stop = events.onArtifact(name, (summary) => {
      if (!isFinalStatus(summary.status)) return;
      this.final = summary;
      this.#wake?.();
    });
  }

  /**
   * Resolves true once a final state was announced (at once if it was already), false after
   * `ms` or when `signal` aborts.
   */
  within(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.final) return Promise.resolve(true);
    return new Promise((done) => {
      const finish = (final: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#wake = null;
        done(final);
      };
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wake = () => finish(true);
    });
  }

  /** Stops watching (call it once the answer is read). */
  close(): void {
    this.#stop();
  }
}
