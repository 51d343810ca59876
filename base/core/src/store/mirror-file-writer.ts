import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** How long changes gather before the mirrors are written. */
const MIRROR_DELAY_MS = 50;

/**
 * Writes the plain-file mirrors of an artifact's index row (`status.json`, `parameters.json`,
 * `files.json`, …) off the request path. The index is the source of truth; the files are for
 * operators. Writes for one artifact run one at a time and are coalesced per file, so each file
 * always ends with its latest content.
 */
export class MirrorFileWriter {
  readonly #pending = new Map<string, Map<string, string>>();
  readonly #inFlight = new Map<string, Promise<void>>();

  /** Queues `content` for `path`, a file of artifact `name`. */
  write(name: string, path: string, content: string): void {
    let files = this.#pending.get(name);
    if (!files) this.#pending.set(name, (files = new Map()));
    files.set(path, content);
    if (!this.#inFlight.has(name)) this.#inFlight.set(name, this.#drain(name));
  }

  /** Writes a value as pretty JSON. */
  writeJson(name: string, path: string, value: unknown): void {
    this.write(name, path, `${JSON.stringify(value, null, 2)}\n`);
  }

  /** Drops what is pending for `name` and resolves once nothing is being written for it. */
  async settled(name: string): Promise<void> {
    this.#pending.delete(name);
    await this.#inFlight.get(name);
  }

  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  async #drain(name: string): Promise<void> {
    // Gather changes for a moment first: a build that is queued, started and finished within it
    // costs one write of each file instead of three. The mirrors lag the index by this much.
    await new Promise((done) => setTimeout(done, MIRROR_DELAY_MS));
    for (
      let files = this.#pending.get(name);
      files && files.size > 0;
      files = this.#pending.get(name)
    ) {
      this.#pending.delete(name);
      // The folder of a queued artifact may not exist yet: the mule makes it when it builds.
      await mkdir(dirname([...files.keys()][0]!), { recursive: true }).catch(() => undefined);
      for (const [path, content] of files) {
        // A folder removed meanwhile is not an error: the artifact is gone.
        await writeFileAtomic(path, content).catch(() => undefined);
      }
    }
    this.#inFlight.delete(name);
  }
}
