import type { EventHub } from '../events/event-hub.js';
import type { ArtifactIndex } from './artifact-index.js';
import type { BuildQueue } from './build-queue.js';

/**
 * Where a tool container keeps its state: the index of artifacts, the queue of builds and the
 * fan-out of their changes. The embedded default is a SQLite file in the data folder with an
 * in-process event hub (`openSqliteBackend`); a shared database can stand behind the same three
 * interfaces so that several replicas serve one set of artifacts.
 */
export interface StoreBackend {
  index: ArtifactIndex;
  queue: BuildQueue;
  events: EventHub;
  /**
   * Whether several processes (replicas) use this store at once: they then take over each
   * other's builds when a lease runs out, so each keeps watch for abandoned work.
   */
  readonly shared: boolean;
  /**
   * The other processes using this store that are alive now (their ids, as they give them to
   * claims). The embedded backend has no other: one process owns its data folder.
   */
  otherReplicas(): Promise<string[]>;
  /** Releases the connection; nothing may be called afterwards. */
  close(): Promise<void>;
}
