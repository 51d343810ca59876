import type { VersionWorker, WorkerStatus } from '../workers/version-worker.js';

const key = (model: string, version: number): string => `${model}\u0000${version}`;

/** The versions loaded now, each with its worker (one model process), by model and version. */
export class LoadedVersions {
  readonly #workers = new Map<string, VersionWorker>();

  get(model: string, version: number): VersionWorker | undefined {
    return this.#workers.get(key(model, version));
  }

  has(model: string, version: number): boolean {
    return this.#workers.has(key(model, version));
  }

  add(worker: VersionWorker): void {
    this.#workers.set(key(worker.model, worker.version), worker);
  }

  /** Takes out the model's workers whose version `keep` does not hold, and returns them. */
  retire(model: string, keep: ReadonlySet<number>): VersionWorker[] {
    const retired: VersionWorker[] = [];
    for (const [id, worker] of this.#workers) {
      if (worker.model !== model || keep.has(worker.version)) continue;
      this.#workers.delete(id);
      retired.push(worker);
    }
    return retired;
  }

  statuses(): WorkerStatus[] {
    return [...this.#workers.values()].map((worker) => worker.status());
  }

  /** Stops every worker (and its process) and forgets them all. */
  async stopAll(): Promise<void> {
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}
