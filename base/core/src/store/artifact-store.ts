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
  uploadsRoot,
  type ArtifactPaths,
} from './store-layout.js';

/**
 * The artifact store: one folder per artifact (plain files an operator can read) and the index
 * of a `StoreBackend` beside them (SQLite in the data folder by default). The index is the
 * source of truth for state; `status.json` mirrors it at every state change.
 */
export class ArtifactStore {
  readonly dataDir: string;
  /** The build queue; its state changes are mirrored to `status.json` like the store's. */
  readonly queue: BuildQueue;
  /** The fan-out of artifact changes that comes with the backend. */
  readonly events: EventHub;
  readonly #backend: StoreBackend;
  readonly #index: ArtifactIndex;
  readonly #mirrors = new MirrorFileWriter();

  private constructor(dataDir: string, backend: StoreBackend) {
    this.dataDir = dataDir;
    this.#backend = backend;
    this.#index = backend.index;
    this.events = backend.events;
    this.queue = new MirroredBuildQueue(backend.queue, this.#mirrors, (name) => this.paths(name));
  }

  /** Opens the data folder, with the SQLite backend in it unless another is given. */
  static async open(dataDir: string, backend?: StoreBackend): Promise<ArtifactStore> {
    await mkdir(artifactsRoot(dataDir), { recursive: true });
    await rm(uploadsRoot(dataDir), { recursive: true, force: true });
    await mkdir(uploadsRoot(dataDir), { recursive: true });
    const store = new ArtifactStore(dataDir, backend ?? openSqliteBackend(indexPath(dataDir)));
    await store.#removeOrphanFolders();
    return store;
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
   * After a restart: each build `owner` does not hold (its process is gone) is queued again with
   * the next attempt, or fails once `maxAttempts` are spent; the log says which.
   */
  async recoverInterrupted(owner: string, maxAttempts: number): Promise<RecoveredBuild[]> {
    const recovered = await this.queue.recoverAbandoned(owner, maxAttempts);
    for (const { summary, gaveUp } of recovered) {
      await this.appendLog(
        summary.name,
        gaveUp
          ? `kiln: ${summary.error}\n`
          : `kiln: the container restarted during the build; queued again (attempt ${summary.attempt})\n`,
      );
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
    for (const name of await this.#index.unreadyNames()) {
      await this.#index.remove(name);
      await rm(this.paths(name).root, { recursive: true, force: true });
    }
    const known = await this.#index.allNames();
    for (const entry of await readdir(artifactsRoot(this.dataDir))) {
      if (!known.has(entry))
        await rm(join(artifactsRoot(this.dataDir), entry), { recursive: true, force: true });
    }
  }
}
