import {
  ArtifactStatus,
  ErrorCode,
  KilnError,
  type ArtifactRecord,
  type ArtifactSummary,
  type DataFileEntry,
  type InputArtifactRef,
  type InputFileEntry,
} from '@kiln/api';
import {
  appendFile,
  copyFile,
  link,
  mkdir,
  readdir,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MirrorFileWriter } from './mirror-file-writer.js';
import { listMetricFiles } from '../metrics/metric-reader.js';
import {
  ArtifactIndex,
  CallbackState,
  toSummary,
  type ArtifactPatch,
  type IndexedArtifact,
} from './artifact-index.js';
import {
  artifactPaths,
  artifactsRoot,
  indexPath,
  uploadsRoot,
  type ArtifactPaths,
} from './store-layout.js';

/** An uploaded file waiting in `uploads/` to be moved into its artifact. */
export interface StagedInputFile extends InputFileEntry {
  tempPath: string;
}

export interface NewArtifact {
  name: string;
  parameters: Record<string, unknown>;
  inputFiles: StagedInputFile[];
  inputs: InputArtifactRef[];
  cacheKey: string | null;
  callback: string | null;
}

/**
 * The artifact store: one folder per artifact (plain files an operator can read) and the SQLite
 * index beside them. The index is the source of truth for state; `status.json` mirrors it at
 * every state change.
 */
export class ArtifactStore {
  readonly dataDir: string;
  readonly #index: ArtifactIndex;
  readonly #mirrors = new MirrorFileWriter();

  private constructor(dataDir: string, index: ArtifactIndex) {
    this.dataDir = dataDir;
    this.#index = index;
  }

  static async open(dataDir: string): Promise<ArtifactStore> {
    await mkdir(artifactsRoot(dataDir), { recursive: true });
    await rm(uploadsRoot(dataDir), { recursive: true, force: true });
    await mkdir(uploadsRoot(dataDir), { recursive: true });
    const store = new ArtifactStore(dataDir, new ArtifactIndex(indexPath(dataDir)));
    await store.#removeOrphanFolders();
    return store;
  }

  paths(name: string): ArtifactPaths {
    return artifactPaths(this.dataDir, name);
  }

  get(name: string): IndexedArtifact | null {
    return this.#index.get(name);
  }

  /** The artifact or a 404. */
  require(name: string): IndexedArtifact {
    const artifact = this.#index.get(name);
    if (!artifact)
      throw new KilnError(ErrorCode.ArtifactNotFound, `no artifact named '${name}'`, {
        status: 404,
      });
    return artifact;
  }

  /** The listing of `GET /artifacts` as JSON text, newest first. */
  listJson(status?: ArtifactStatus): string {
    return this.#index.listJson(status);
  }

  nextQueued(): IndexedArtifact | null {
    return this.#index.nextQueued();
  }

  counts(): Partial<Record<ArtifactStatus, number>> {
    return this.#index.countByStatus();
  }

  findCacheSource(cacheKey: string): IndexedArtifact | null {
    return this.#index.findCompletedByCacheKey(cacheKey);
  }

  withPendingCallbacks(): IndexedArtifact[] {
    return this.#index.withPendingCallbacks();
  }

  /**
   * Creates the queued row, then what the build needs on disk. The row's unique name is the lock
   * that makes a taken name a 409 even between concurrent requests. A create without input
   * files touches no file at all: the mule makes the folder when it builds.
   */
  async create(artifact: NewArtifact): Promise<IndexedArtifact> {
    const indexed = this.#newRow(artifact, {
      status: ArtifactStatus.Queued,
      startedAt: null,
      finishedAt: null,
      progress: 0,
      message: null,
      cached: false,
      cachedFrom: null,
      digest: null,
    });
    const inputFiles = inputFileEntries(artifact);
    const hasFiles = inputFiles.length > 0;
    this.#claim(indexed, { parameters: artifact.parameters, inputFiles, ready: !hasFiles });
    if (hasFiles) {
      await this.#undoOnFailure(artifact.name, async () => {
        await this.#moveInputFiles(artifact);
        this.#index.markReady(artifact.name);
      });
    }
    this.#mirrorInputs(artifact, inputFiles);
    this.#mirrors.writeJson(artifact.name, this.paths(artifact.name).status, toSummary(indexed));
    return indexed;
  }

  /**
   * Creates an artifact completed at once from a cached one: its data files are hard-linked
   * (copied across file systems), its metrics copied.
   */
  async createCached(artifact: NewArtifact, source: IndexedArtifact): Promise<IndexedArtifact> {
    const now = new Date().toISOString();
    const completed = {
      status: ArtifactStatus.Completed,
      startedAt: now,
      finishedAt: now,
      progress: 1,
      message: `cached from '${source.name}'`,
      cached: true,
      cachedFrom: source.name,
      digest: source.digest,
    };
    const indexed = this.#newRow(artifact, completed);
    const inputFiles = inputFileEntries(artifact);
    const files = this.#index.files(source.name);
    // Claimed as a queued row that is not ready, so nothing serves or builds it half made.
    this.#claim(
      { ...indexed, status: ArtifactStatus.Queued },
      { parameters: artifact.parameters, inputFiles, files, ready: false },
    );
    const paths = this.paths(artifact.name);
    const from = this.paths(source.name);
    await this.#undoOnFailure(artifact.name, async () => {
      await this.#moveInputFiles(artifact);
      await linkTree(from.data, paths.data, files);
      await copyTree(from.metrics, paths.metrics);
      await writeFile(paths.log, `reused the data of '${source.name}' (cache hit)\n`);
    });
    this.#index.update(artifact.name, completed);
    this.#index.markReady(artifact.name);
    this.#mirrorInputs(artifact, inputFiles);
    this.#mirrors.writeJson(artifact.name, paths.status, toSummary(indexed));
    return indexed;
  }

  #newRow(
    artifact: NewArtifact,
    state: Omit<
      IndexedArtifact,
      | 'name'
      | 'createdAt'
      | 'error'
      | 'attempt'
      | 'cacheKey'
      | 'callback'
      | 'callbackState'
      | 'inputs'
    >,
  ): IndexedArtifact {
    return {
      name: artifact.name,
      createdAt: new Date().toISOString(),
      error: null,
      attempt: 1,
      cacheKey: artifact.cacheKey,
      callback: artifact.callback,
      callbackState: artifact.callback ? CallbackState.Pending : null,
      inputs: artifact.inputs,
      ...state,
    };
  }

  #claim(row: IndexedArtifact, extra: Parameters<ArtifactIndex['insert']>[1]): void {
    if (!this.#index.insert(row, extra)) {
      throw new KilnError(
        ErrorCode.ArtifactExists,
        `an artifact named '${row.name}' already exists`,
        { status: 409 },
      );
    }
  }

  /** Runs the disk part of a create; if it fails, the claimed row and its folder go. */
  async #undoOnFailure(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#index.remove(name);
      this.#mirrors.settled(name);
      await rm(this.paths(name).root, { recursive: true, force: true });
      throw error;
    }
  }

  /** Applies a state change and mirrors it to `status.json`; null if `onlyIf` no longer held. */
  async transition(
    name: string,
    patch: ArtifactPatch,
    onlyIf?: ArtifactStatus,
  ): Promise<ArtifactSummary | null> {
    if (!this.#index.update(name, patch, onlyIf)) return null;
    const artifact = this.#index.get(name);
    if (!artifact) return null;
    const summary = toSummary(artifact);
    this.#mirrors.writeJson(name, this.paths(name).status, summary);
    return summary;
  }

  /** A progress change: index only (status.json follows at the next state change). */
  setProgress(name: string, progress: number, message: string | null): ArtifactSummary | null {
    if (!this.#index.update(name, { progress, message }, ArtifactStatus.InProgress)) return null;
    const artifact = this.#index.get(name);
    return artifact ? toSummary(artifact) : null;
  }

  setCallbackState(name: string, state: CallbackState): void {
    this.#index.update(name, { callbackState: state });
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

  /** Records the data files of a build the mule completed (it renamed staging/ to data/). */
  recordFiles(name: string, files: DataFileEntry[]): void {
    this.#index.setFiles(name, files);
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
    this.#index.remove(name);
    this.#mirrors.settled(name);
    await rm(this.paths(name).root, { recursive: true, force: true });
  }

  readParameters(name: string): Record<string, unknown> {
    return this.#index.buildInputs(name)?.parameters ?? {};
  }

  readInputFiles(name: string): InputFileEntry[] {
    return this.#index.buildInputs(name)?.inputFiles ?? [];
  }

  readFiles(name: string): DataFileEntry[] {
    return this.#index.files(name);
  }

  /** The full record of `GET /artifacts/{name}/`. */
  async record(name: string): Promise<ArtifactRecord> {
    const artifact = this.require(name);
    const paths = this.paths(name);
    const inputs = this.#index.buildInputs(name);
    const files = artifact.status === ArtifactStatus.Completed ? this.readFiles(name) : [];
    // Names only: a record (read on every create that references this artifact) never reads
    // the series themselves.
    const metrics = await listMetricFiles(paths.metrics);
    const parameters = inputs?.parameters ?? {};
    const inputFiles = inputs?.inputFiles ?? [];
    return {
      ...toSummary(artifact),
      parameters,
      inputFiles,
      files,
      metrics: metrics.map((metric) => metric.name),
      inputs: artifact.inputs,
      digest: artifact.status === ArtifactStatus.Completed ? artifact.digest : null,
    };
  }

  /**
   * After a restart: a build that was running is queued again with the next attempt, or fails
   * once `maxAttempts` are spent. Returns the artifacts it changed.
   */
  async recoverInterrupted(maxAttempts: number): Promise<ArtifactSummary[]> {
    const changed: ArtifactSummary[] = [];
    for (const artifact of this.#index.list(ArtifactStatus.InProgress)) {
      const now = new Date().toISOString();
      if (artifact.attempt >= maxAttempts) {
        const error = `the build was interrupted by a restart of its container ${artifact.attempt} times; giving up`;
        await this.appendLog(artifact.name, `kiln: ${error}\n`);
        const summary = await this.transition(artifact.name, {
          status: ArtifactStatus.Failed,
          finishedAt: now,
          error,
          message: null,
        });
        if (summary) changed.push(summary);
      } else {
        const next = artifact.attempt + 1;
        await this.appendLog(
          artifact.name,
          `kiln: the container restarted during the build; queued again (attempt ${next})\n`,
        );
        const summary = await this.transition(artifact.name, {
          status: ArtifactStatus.Queued,
          attempt: next,
          progress: 0,
          message: `interrupted by a restart; attempt ${next} queued`,
        });
        if (summary) changed.push(summary);
      }
    }
    return changed;
  }

  async close(): Promise<void> {
    this.#mirrors.flush();
    this.#index.close();
  }

  async #moveInputFiles(artifact: NewArtifact): Promise<void> {
    if (artifact.inputFiles.length === 0) return;
    const paths = this.paths(artifact.name);
    await mkdir(paths.inputFiles, { recursive: true });
    await Promise.all(
      artifact.inputFiles.map((file) => rename(file.tempPath, join(paths.inputFiles, file.name))),
    );
  }

  /** Queues the plain-file mirrors of the parameters and input files (the index holds both). */
  #mirrorInputs(artifact: NewArtifact, inputFiles: InputFileEntry[]): void {
    const paths = this.paths(artifact.name);
    this.#mirrors.writeJson(artifact.name, paths.parameters, artifact.parameters);
    if (inputFiles.length > 0)
      this.#mirrors.writeJson(artifact.name, paths.inputFilesIndex, inputFiles);
  }

  /** Drops creates a crash interrupted (never answered 202), then folders without a row. */
  async #removeOrphanFolders(): Promise<void> {
    for (const name of this.#index.unreadyNames()) {
      this.#index.remove(name);
      await rm(this.paths(name).root, { recursive: true, force: true });
    }
    const known = this.#index.allNames();
    for (const entry of await readdir(artifactsRoot(this.dataDir))) {
      if (!known.has(entry))
        await rm(join(artifactsRoot(this.dataDir), entry), { recursive: true, force: true });
    }
  }
}

function inputFileEntries(artifact: NewArtifact): InputFileEntry[] {
  return artifact.inputFiles.map(({ name, filename, size, sha256 }) => ({
    name,
    filename,
    size,
    sha256,
  }));
}

async function linkTree(
  fromRoot: string,
  toRoot: string,
  files: readonly DataFileEntry[],
): Promise<void> {
  const folders = new Set([toRoot, ...files.map((file) => dirname(join(toRoot, file.path)))]);
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await Promise.all(
    files.map((file) => {
      const from = join(fromRoot, file.path);
      const to = join(toRoot, file.path);
      return link(from, to).catch(() => copyFile(from, to));
    }),
  );
}

async function copyTree(fromRoot: string, toRoot: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(fromRoot);
  } catch {
    return;
  }
  await mkdir(toRoot, { recursive: true });
  await Promise.all(entries.map((entry) => copyFile(join(fromRoot, entry), join(toRoot, entry))));
}
