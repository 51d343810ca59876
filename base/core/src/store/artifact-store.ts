import {
  ArtifactStatus,
  ErrorCode,
  KilnError,
  type ArtifactRecord,
  type ArtifactSummary,
  type DataFileEntry,
  type InputFileEntry,
} from '@kiln/api';
import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventHub } from '../events/event-hub.js';
import { listMetricFiles } from '../metrics/metric-reader.js';
import {
  createCached,
  createQueued,
  type CreationContext,
  type NewArtifact,
} from './artifact-creation.js';
import type { ArtifactIndex } from './artifact-index.js';
import {
  toSummary,
  type ArtifactPatch,
  type CallbackState,
  type IndexedArtifact,
} from './artifact-row.js';
import type { BuildQueue, RecoveredBuild } from './build-queue.js';
import { MirroredBuildQueue } from './mirrored-build-queue.js';
import { MirrorFileWriter } from './mirror-file-writer.js';
import { openSqliteBackend } from './sqlite/open-sqlite-backend.js';
import type { StoreBackend } from './store-backend.js';
import {
  artifactPaths,
  artifactsRoot,
  indexPath,
  replicaUploads,
  uploadsRoot,
  type ArtifactPaths,
} from './store-layout.js';

/** How to open a store (see `ArtifactStore.open`). */
export interface ArtifactStoreOptions {
  /** @defaultValue the SQLite backend in the data folder */
  backend?: StoreBackend;
  /** This process, as the store's other users know it (the owner of its claims). */
  replica: string;
}

/**
 * The artifact store: one folder per artifact (plain files an operator can read) and the index
 * of a `StoreBackend` beside them (SQLite in the data folder by default). The index is the
 * source of truth for state; `status.json` mirrors it at every state change.
 */
export class ArtifactStore {
  readonly dataDir: string;
  /** This process's folder for uploads in flight. */
  readonly uploadsDir: string;
  /** This process, as the owner of its claims. */
  readonly replica: string;
  /** The build queue; its state changes are mirrored to `status.json` like the store's. */
  readonly queue: BuildQueue;
  /** The fan-out of artifact changes that comes with the backend. */
  readonly events: EventHub;
  readonly #backend: StoreBackend;
  readonly #index: ArtifactIndex;
  readonly #mirrors = new MirrorFileWriter();

  private constructor(dataDir: string, backend: StoreBackend, replica: string) {
    this.dataDir = dataDir;
    this.replica = replica;
    this.uploadsDir = replicaUploads(dataDir, replica);
    this.#backend = backend;
    this.#index = backend.index;
    this.events = backend.events;
    this.queue = new MirroredBuildQueue(backend.queue, this.#mirrors, (name) => this.paths(name));
  }

  /**
   * Opens the data folder, with the SQLite backend in it unless another is given, and clears
   * what processes that are gone left half done (never what a live replica is doing).
   */
  static async open(dataDir: string, options: ArtifactStoreOptions): Promise<ArtifactStore> {
    await mkdir(artifactsRoot(dataDir), { recursive: true });
    const backend = options.backend ?? openSqliteBackend(indexPath(dataDir));
    const store = new ArtifactStore(dataDir, backend, options.replica);
    try {
      await store.removeAbandonedUploads();
      await mkdir(store.uploadsDir, { recursive: true });
      await store.#removeOrphanFolders();
    } catch (error) {
      if (!options.backend) await backend.close();
      throw error;
    }
    return store;
  }

  /** Whether other processes share this store (see `StoreBackend.shared`). */
  get shared(): boolean {
    return this.#backend.shared;
  }

  /** Removes the upload folders of processes that are gone (uploads they never finished). */
  async removeAbandonedUploads(): Promise<void> {
    const live = new Set([this.replica, ...(await this.#backend.otherReplicas())]);
    let entries: string[];
    try {
      entries = await readdir(uploadsRoot(this.dataDir));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!live.has(entry))
        await rm(join(uploadsRoot(this.dataDir), entry), { recursive: true, force: true });
    }
  }

  /**
   * Drops the creates that a process died in the middle of (rows never made ready, whose
   * creator is gone), with their folders.
   */
  async removeAbandonedCreates(): Promise<void> {
    for (const name of await this.#index.unreadyNames()) {
      await this.#index.remove(name);
      await rm(this.paths(name).root, { recursive: true, force: true });
    }
  }

  paths(name: string): ArtifactPaths {
    return artifactPaths(this.dataDir, name);
  }

  get(name: string): Promise<IndexedArtifact | null> {
    return this.#index.get(name);
  }

  /** The artifact or a 404. */
  async require(name: string): Promise<IndexedArtifact> {
    const artifact = await this.#index.get(name);
    if (!artifact)
      throw new KilnError(ErrorCode.ArtifactNotFound, `no artifact named '${name}'`, {
        status: 404,
      });
    return artifact;
  }

  /** The listing of `GET /artifacts` as JSON text, newest first. */
  listJson(status?: ArtifactStatus): Promise<string> {
    return this.#index.listJson(status);
  }

  counts(): Promise<Partial<Record<ArtifactStatus, number>>> {
    return this.#index.countByStatus();
  }

  findCacheSource(cacheKey: string): Promise<IndexedArtifact | null> {
    return this.#index.findCompletedByCacheKey(cacheKey);
  }

  withPendingCallbacks(): Promise<IndexedArtifact[]> {
    return this.#index.withPendingCallbacks();
  }

  /** Takes the delivery of a pending callback (see `ArtifactIndex.claimCallback`). */
  claimCallback(name: string, leaseMs: number): Promise<boolean> {
    return this.#index.claimCallback(name, this.replica, leaseMs);
  }

  /** A queued artifact (see `createQueued`). */
  create(artifact: NewArtifact): Promise<IndexedArtifact> {
    return createQueued(this.#creation(), artifact);
  }

  /** An artifact completed at once from `source` (see `createCached`). */
  createCached(artifact: NewArtifact, source: IndexedArtifact): Promise<IndexedArtifact> {
    return createCached(this.#creation(), artifact, source);
  }

  /** Applies a state change and mirrors it to `status.json`; null if `onlyIf` no longer held. */
  async transition(
    name: string,
    patch: ArtifactPatch,
    onlyIf?: ArtifactStatus,
  ): Promise<ArtifactSummary | null> {
    if (!(await this.#index.update(name, patch, onlyIf))) return null;
    const artifact = await this.#index.get(name);
    if (!artifact) return null;
    const summary = toSummary(artifact);
    this.#mirrors.writeJson(name, this.paths(name).status, summary);
    return summary;
  }

  async setCallbackState(name: string, state: CallbackState): Promise<void> {
    await this.#index.update(name, { callbackState: state });
  }

  /**
   * Clears what an interrupted earlier attempt left (a first attempt has nothing to clear; the
   * mule makes its staging folder).
   */
  async prepareAttempt(name: string, attempt: number): Promise<void> {
    if (attempt <= 1) return;
    const paths = this.paths(name);
    await Promise.all(
      [paths.staging, paths.data, paths.metrics, paths.inputs].map((path) =>
        rm(path, { recursive: true, force: true }),
      ),
    );
  }

  /** Removes what a build that did not complete left, data/ included (a late cancel). */
  async discardBuild(name: string): Promise<void> {
    const paths = this.paths(name);
    await Promise.all(
      [paths.staging, paths.data, paths.inputs].map((path) =>
        rm(path, { recursive: true, force: true }),
      ),
    );
  }

  async appendLog(name: string, text: string): Promise<void> {
    const paths = this.paths(name);
    try {
      await appendFile(paths.log, text);
    } catch {
      // A queued artifact may have no folder yet (the mule makes it when it builds).
      await mkdir(paths.root, { recursive: true })
        .then(() => appendFile(paths.log, text))
        .catch(() => undefined);
    }
  }

  async remove(name: string): Promise<void> {
    await this.#index.remove(name);
    this.#mirrors.settled(name);
    await rm(this.paths(name).root, { recursive: true, force: true });
  }

  async readParameters(name: string): Promise<Record<string, unknown>> {
    return (await this.#index.buildInputs(name))?.parameters ?? {};
  }

  async readInputFiles(name: string): Promise<InputFileEntry[]> {
    return (await this.#index.buildInputs(name))?.inputFiles ?? [];
  }

  readFiles(name: string): Promise<DataFileEntry[]> {
    return this.#index.files(name);
  }

  /** The full record of `GET /artifacts/{name}/`. */
  async record(name: string): Promise<ArtifactRecord> {
    const artifact = await this.require(name);
    const completed = artifact.status === ArtifactStatus.Completed;
    const [inputs, files, metrics] = await Promise.all([
      this.#index.buildInputs(name),
      completed ? this.readFiles(name) : [],
      // Names only: a record (read on every create that references this artifact) never reads
      // the series themselves.
      listMetricFiles(this.paths(name).metrics),
    ]);
    return {
      ...toSummary(artifact),
      parameters: inputs?.parameters ?? {},
      inputFiles: inputs?.inputFiles ?? [],
      files,
      metrics: metrics.map((metric) => metric.name),
      inputs: artifact.inputs,
      digest: completed ? artifact.digest : null,
      gpu: artifact.gpu,
    };
  }

  /**
   * Takes back the builds whose holder is gone (a restart, a replica that died): each is queued
   * again with the next attempt, fails once `maxAttempts` are spent, or ends cancelled when a
   * stop was asked of it; the log says which.
   */
  async recoverInterrupted(maxAttempts: number): Promise<RecoveredBuild[]> {
    const recovered = await this.queue.recoverAbandoned(this.replica, maxAttempts);
    for (const { summary } of recovered) {
      await this.appendLog(summary.name, recoveryLine(summary));
    }
    return recovered;
  }

  async close(): Promise<void> {
    this.#mirrors.flush();
    await this.#backend.close();
  }

  #creation(): CreationContext {
    return { index: this.#index, mirrors: this.#mirrors, paths: (name) => this.paths(name) };
  }

  /** Drops creates a crash interrupted (never answered 202), then folders without a row. */
  async #removeOrphanFolders(): Promise<void> {
    await this.removeAbandonedCreates();
    // The folders are listed before the names are read: a create inserts its row before it
    // makes a folder, so a replica's create under way is among the names.
    const entries = await readdir(artifactsRoot(this.dataDir));
    const known = await this.#index.allNames();
    for (const entry of entries) {
      if (!known.has(entry))
        await rm(join(artifactsRoot(this.dataDir), entry), { recursive: true, force: true });
    }
  }
}

/** The log line that says what recovery made of a build. */
function recoveryLine(summary: ArtifactSummary): string {
  if (summary.status === ArtifactStatus.Queued)
    return `kiln: the container restarted during the build (or the replica holding it was lost); queued again (attempt ${summary.attempt})\n`;
  if (summary.status === ArtifactStatus.Cancelled)
    return `kiln: the build was cancelled (its replica was gone)\n`;
  return `kiln: ${summary.error}\n`;
}
