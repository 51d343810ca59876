/**
 * The steps a run (or one variant of its sweep) has started and not yet seen end. When the run
 * or variant ends while some still run (a sibling failed under `Promise.all`, or a promise was
 * never awaited), {@link close} aborts them (each cancels its artifact on its container) and
 * waits for them, so no step outlives the code that started it.
 */
export class StepGroup {
  /** Aborted when the parent aborts (the run is cancelled) or the group is closed. */
  readonly signal: AbortSignal;
  readonly #ending = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(parent: AbortSignal) {
    this.signal = AbortSignal.any([parent, this.#ending.signal]);
  }

  /** How many started steps have not settled yet. */
  get running(): number {
    return this.#inFlight.size;
  }

  /** Follows a step's promise until it settles; returns it unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = (): void => {
      this.#inFlight.delete(promise);
    };
    // Handled here, so a step nobody awaited cannot end the mule with an unhandled rejection.
    promise.then(forget, forget);
    return promise;
  }

  /** Aborts the steps still running and waits until every one has settled. */
  async close(reason: string): Promise<void> {
    if (this.#inFlight.size === 0) return;
    this.#ending.abort(new DOMException(reason, 'AbortError'));
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }
}
