import type { Logger } from '@kiln/api';
import { CallbackState, toSummary } from '../store/artifact-row.js';
import type { ArtifactStore } from '../store/artifact-store.js';

const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000];
/**
 * How long a claim on a delivery lasts (renewed before each attempt): longer than the longest
 * wait between attempts, so that a live sender keeps it and one that died loses it.
 */
const CLAIM_MS = 120_000;

/**
 * POSTs an artifact's final summary to its callback URL, retrying with backoff. Runs beside the
 * queue and never holds it up; a callback that keeps failing is logged and abandoned. Pending
 * callbacks are sent again after a restart.
 */
export class CallbackSender {
  readonly #store: ArtifactStore;
  readonly #logger: Logger;
  /** The deliveries under way in this process. */
  readonly #delivering = new Set<string>();
  #closed = false;

  constructor(store: ArtifactStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * Sends the callbacks left pending by a previous run of the container (or, in a cluster, by a
   * replica that died while it delivered them).
   */
  async resumePending(): Promise<void> {
    for (const artifact of await this.#store.withPendingCallbacks()) {
      if (artifact.callback && ['completed', 'failed', 'cancelled'].includes(artifact.status)) {
        await this.send(artifact.name);
      }
    }
  }

  /**
   * Delivers the callback of an artifact that just reached a final state, if it has one, in the
   * background. Never rejects: a failure is logged. `callback`, when the caller knows it, spares
   * reading the artifact (null: it has none).
   */
  async send(name: string, callback?: string | null): Promise<void> {
    if (callback === null) return;
    try {
      const artifact = await this.#store.get(name);
      if (!artifact?.callback || artifact.callbackState !== CallbackState.Pending) return;
      if (this.#delivering.has(name)) return;
      this.#delivering.add(name);
      void this.#deliver(name, artifact.callback)
        .catch((error: unknown) => {
          // The store closes under a delivery that was still retrying when the server stopped.
          if (!this.#closed)
            this.#logger.warn('callback bookkeeping failed', {
              artifact: name,
              error: String(error),
            });
        })
        .finally(() => this.#delivering.delete(name));
    } catch (error) {
      if (!this.#closed)
        this.#logger.warn('could not read a callback', { artifact: name, error: String(error) });
    }
  }

  close(): void {
    this.#closed = true;
  }

  async #deliver(name: string, url: string): Promise<void> {
    const { got } = await import('got');
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !this.#closed; attempt += 1) {
      // One process sends a callback: replicas of a container share the claim.
      if (!(await this.#store.claimCallback(name, CLAIM_MS))) return;
      const artifact = await this.#store.get(name);
      if (!artifact) return;
      try {
        await got.post(url, {
          json: toSummary(artifact),
          timeout: { request: 10_000 },
          retry: { limit: 0 },
        });
        await this.#store.setCallbackState(name, CallbackState.Delivered);
        return;
      } catch (error) {
        this.#logger.warn('callback failed', {
          artifact: name,
          url,
          attempt: attempt + 1,
          error: (error as Error).message,
        });
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) break;
        await new Promise((done) => setTimeout(done, delay).unref());
      }
    }
    if (!this.#closed) {
      await this.#store.setCallbackState(name, CallbackState.Abandoned);
      await this.#store.appendLog(name, `kiln: gave up delivering the callback to ${url}\n`);
    }
  }
}
