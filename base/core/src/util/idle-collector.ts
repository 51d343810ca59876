import { collectAll } from './exposed-gc.js';

/** How long a process must stay quiet after work before its heap is collected. */
const IDLE_COLLECT_DELAY_MS = 2_000;

/**
 * Runs full garbage collections when a process goes quiet after a burst of work, so that a
 * container idling between pipeline runs gives its heap back instead of holding the high-water
 * mark of its last burst. V8 on its own keeps it: a build that allocated 1.2 GB of objects left
 * its mule at 1.29 GB of RSS, and at 112 MB once collected.
 *
 * `touch()` is cheap (it re-arms one timer) and is meant for every request or build.
 */
export class IdleCollector {
  readonly #timer: NodeJS.Timeout;
  #busy = false;

  constructor(delayMs = IDLE_COLLECT_DELAY_MS, collect: () => void = collectAll) {
    this.#timer = setTimeout(() => {
      if (!this.#busy) collect();
    }, delayMs);
    this.#timer.unref();
  }

  /** Records activity: the collection runs `delayMs` after the last call (and not while busy). */
  touch(): void {
    this.#busy = false;
    this.#timer.refresh();
  }

  /** Holds collections off until the next `touch()`: a build must not pause for one. */
  busy(): void {
    this.#busy = true;
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
