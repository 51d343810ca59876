import {
  ErrorCode,
  KilnError,
  MODEL_ALIASES,
  ModelAlias,
  ModelVersionStatus,
  type AliasChange,
  type Logger,
  type ModelDetail,
  type ModelSignature,
  type ModelSummary,
  type ModelVersionInfo,
  type RegisterVersionRequest,
} from '@kiln/api';
import { join } from 'node:path';
import type { ServingEvents } from '../events/serving-events.js';
import {
  VersionState,
  type RegistryStore,
  type VersionRecord,
  type VersionSource,
} from '../store/registry-store.js';
import { WorkerState, type VersionWorker, type WorkerStatus } from '../workers/version-worker.js';
import type { ArtifactFetcher } from './artifact-fetcher.js';
import { LoadedVersions } from './loaded-versions.js';
import { settledVersion } from './settled-version.js';
import { ModelLocks } from './model-locks.js';
import {
  invalidAlias,
  modelNotFound,
  notReady,
  versionNotFound,
  versionUnusable,
} from './registry-errors.js';
import { versionInfo, versionStatus } from './version-info.js';
import {
  checkRegistration,
  registerVersion,
  startWorker,
  type LoadSettings,
} from './version-registration.js';

/** What a {@link ModelRegistry} works with. */
export interface ModelRegistryOptions extends LoadSettings {
  dataDir: string;
  store: RegistryStore;
  fetcher: ArtifactFetcher;
  events: ServingEvents;
  /** Single-image predictions timed when a version registers. */
  benchmarkRuns: number;
  /** Registrations interrupted by restarts before the version fails. */
  maxAttempts: number;
}

/** The loaded version that answers a request, and what it takes. */
export interface Route {
  worker: VersionWorker;
  signature: ModelSignature;
}

/**
 * The serving container's models: versions and aliases (durable, in the store) and the loaded
 * version workers (one model process each). Registration loads a version in a fresh process
 * and makes it `challenger` (or `champion` when there is none). Moving an alias loads the
 * version first if needed, then switches in one synchronous step, so every request is answered
 * by either the old version or the new one; a version left without an alias drains and stops.
 */
export class ModelRegistry {
  readonly #options: ModelRegistryOptions;
  readonly #store: RegistryStore;
  readonly #events: ServingEvents;
  readonly #logger: Logger;
  readonly #loaded = new LoadedVersions();
  /** Alias → version per model, mirrored from the store after each committed move. */
  readonly #aliases = new Map<string, Partial<Record<ModelAlias, number>>>();
  readonly #locks = new ModelLocks();
  readonly #jobs = new Set<Promise<void>>();
  #closed = false;

  constructor(options: ModelRegistryOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#events = options.events;
    this.#logger = options.logger;
    for (const model of this.#store.models()) this.#aliases.set(model, this.#store.aliases(model));
  }

  /**
   * After a start: loads every version an alias holds, and starts again the registrations a
   * restart interrupted (a version whose registration was interrupted `maxAttempts` times fails).
   */
  async restore(): Promise<void> {
    for (const record of this.#store.versionsIn(VersionState.Registering)) {
      if (record.attempt >= this.#options.maxAttempts) {
        this.#fail(
          record,
          `its registration was interrupted by a restart of the container ${record.attempt} times; giving up`,
        );
        continue;
      }
      this.#startJob(
        this.#store.updateVersion(record.model, record.version, { attempt: record.attempt + 1 }),
      );
    }
    const loads = this.#store.models().flatMap((model) =>
      [...new Set(Object.values(this.#aliases.get(model) ?? {}))].map(async (version) => {
        const record = this.#store.version(model, version);
        if (record?.state !== VersionState.Available) return;
        await this.#locks.run(model, () => this.#ensureLoaded(record)).catch(() => undefined);
      }),
    );
    await Promise.all(loads);
  }

  /** Every model's name. */
  modelNames(): string[] {
    return this.#store.models();
  }

  summaries(): ModelSummary[] {
    return this.#store.models().map((name) => this.#summary(name));
  }

  detail(model: string): ModelDetail {
    this.#requireModel(model);
    return { ...this.#summary(model), history: this.#store.history(model) };
  }

  /** A model's versions, newest first. */
  versions(model: string): ModelVersionInfo[] {
    this.#requireModel(model);
    return this.#store.versions(model).map((record) => this.#info(record));
  }

  version(model: string, version: number): ModelVersionInfo {
    return this.#info(this.#requireVersion(model, version));
  }

  /** The version once it is no longer `loading`, or as it is after `seconds`. */
  waitForVersion(model: string, version: number, seconds: number): Promise<ModelVersionInfo> {
    return settledVersion(this.#events, () => this.version(model, version), seconds);
  }

  /**
   * Registers a model artifact as the model's next version: checks that it is a completed
   * model artifact (a 422 otherwise, and nothing is stored), stores the version as `loading`
   * and loads and evaluates it in the background.
   */
  async register(
    model: string,
    request: RegisterVersionRequest,
    source: VersionSource | null = null,
  ): Promise<ModelVersionInfo> {
    const evaluation = await checkRegistration(
      request,
      this.#latestEvaluation(model),
      this.#options.fetcher,
    );
    const record = this.#store.createVersion(model, {
      artifact: request.artifact,
      evaluation,
      source,
    });
    if (!this.#aliases.has(model)) this.#aliases.set(model, {});
    this.#logger.info('registering a version', {
      model,
      version: record.version,
      artifact: record.artifact,
    });
    const info = this.#info(record);
    this.#events.emit('version', info);
    this.#startJob(record);
    return info;
  }

  /**
   * Points `alias` at `version` (promote, or roll back): loads the version in a fresh process if
   * it is not loaded, then switches. A version that cannot be loaded fails (409) and the alias
   * stays where it was.
   */
  async setAlias(model: string, alias: string, version: number): Promise<ModelDetail> {
    if (!(MODEL_ALIASES as readonly string[]).includes(alias)) throw invalidAlias(alias);
    const record = this.#requireVersion(model, version);
    await this.#locks.run(model, async () => {
      const current = this.#store.version(model, version) ?? record;
      if (current.state !== VersionState.Available) {
        const why =
          current.state === VersionState.Registering
            ? 'is still loading'
            : `${current.state}: ${current.reason ?? 'no reason given'}`;
        throw versionUnusable(`version ${version} of '${model}' ${why}`);
      }
      const aliases = this.#aliases.get(model) ?? {};
      if (alias === ModelAlias.Challenger && aliases.champion === version) {
        throw versionUnusable(`version ${version} is the champion of '${model}'`);
      }
      await this.#ensureLoaded(current, true);
      const moves: Partial<Record<ModelAlias, number | null>> = { [alias]: version };
      if (alias === ModelAlias.Champion && aliases.challenger === version) moves.challenger = null;
      this.#move(model, moves);
    });
    return this.detail(model);
  }

  /** The loaded version that answers: the given one, or the champion. */
  route(model: string, version?: number): Route {
    this.#requireModel(model);
    const chosen = version ?? this.#aliases.get(model)?.champion;
    if (chosen === undefined) throw notReady(`'${model}' has no champion yet`);
    const worker = this.#loaded.get(model, chosen);
    if (worker && worker.state !== WorkerState.Draining && worker.state !== WorkerState.Stopped) {
      return { worker, signature: worker.info.signature };
    }
    const record = this.#requireVersion(model, chosen);
    throw notReady(`version ${chosen} of '${model}' is not loaded (${this.#status(record)})`);
  }

  /** What a model (its champion, or a version) takes and gives, loaded or not. */
  signature(model: string, version?: number): ModelSignature | null {
    this.#requireModel(model);
    const chosen = version ?? this.#aliases.get(model)?.champion;
    if (version !== undefined) this.#requireVersion(model, version);
    return chosen === undefined ? null : (this.#store.version(model, chosen)?.signature ?? null);
  }

  /** Versions loaded and answering, by model. */
  loadedVersions(model: string): number[] {
    return this.#store
      .versions(model)
      .filter((record) => this.#status(record) === ModelVersionStatus.Ready)
      .map((record) => record.version)
      .sort((a, b) => a - b);
  }

  /** True when the model's champion (or the given version) is loaded and answering. */
  isReady(model: string, version?: number): boolean {
    try {
      return this.route(model, version).worker.state === WorkerState.Ready;
    } catch (error) {
      if (error instanceof KilnError && error.code === ErrorCode.ModelNotReady) return false;
      throw error;
    }
  }

  workers(): WorkerStatus[] {
    return this.#loaded.statuses();
  }

  /** Stops every model process and waits for registrations under way to settle. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#loaded.stopAll();
    await Promise.allSettled([...this.#jobs]);
  }

  #startJob(record: VersionRecord): void {
    const job = this.#runJob(record).finally(() => this.#jobs.delete(job));
    this.#jobs.add(job);
  }

  async #runJob(record: VersionRecord): Promise<void> {
    const { model, version } = record;
    try {
      const { worker, figures } = await registerVersion(record, this.#modelDir(model, version), {
        ...this.#options,
        onFetched: (digest) => this.#store.updateVersion(model, version, { digest }),
      });
      if (this.#closed) {
        await worker.stop();
        return;
      }
      await this.#locks.run(model, () => {
        this.#store.updateVersion(model, version, {
          state: VersionState.Available,
          figures,
          signature: worker.info.signature,
        });
        this.#loaded.add(worker);
        this.#logger.info('version ready', { model, version, accuracy: figures.accuracy });
        const hasChampion = this.#aliases.get(model)?.champion !== undefined;
        // #move announces the version once its alias is set, so a watcher sees both at once.
        this.#move(model, hasChampion ? { challenger: version } : { champion: version });
      });
    } catch (error) {
      if (this.#closed) return;
      this.#fail(this.#store.version(model, version) ?? record, describe(error));
    }
  }

  /** Loads a version in a fresh process unless it is loaded (the caller holds the model's lock). */
  async #ensureLoaded(record: VersionRecord, failOnError = false): Promise<void> {
    const { model, version } = record;
    if (this.#loaded.has(model, version)) return;
    const loading = this.#info(record);
    this.#events.emit('version', { ...loading, status: ModelVersionStatus.Loading });
    try {
      const worker = await startWorker(record, this.#modelDir(model, version), this.#options);
      if (this.#closed) {
        await worker.stop();
        return;
      }
      this.#loaded.add(worker);
      this.#events.emit('version', this.#info(record));
    } catch (error) {
      const reason = `it could not be loaded: ${describe(error)}`;
      this.#fail(record, reason);
      if (failOnError) {
        throw versionUnusable(`version ${version} of '${model}' ${reason}`, error);
      }
    }
  }

  /** Moves aliases: the store first, then the in-memory map in the same step; retires the rest. */
  #move(model: string, moves: Partial<Record<ModelAlias, number | null>>): void {
    const changes: AliasChange[] = this.#store.moveAliases(model, moves);
    this.#aliases.set(model, this.#store.aliases(model));
    for (const change of changes) {
      this.#logger.info('alias moved', { ...change });
      this.#events.emit('alias', change);
    }
    const held = new Set(Object.values(this.#aliases.get(model) ?? {}));
    for (const worker of this.#loaded.retire(model, held)) {
      void worker.drain().then(() => {
        const record = this.#store.version(model, worker.version);
        if (record) this.#events.emit('version', this.#info(record));
      });
    }
    for (const change of changes) {
      for (const version of [change.version, change.previous]) {
        const record = version === null ? null : this.#store.version(model, version);
        if (record) this.#events.emit('version', this.#info(record));
      }
    }
  }

  #fail(record: VersionRecord, reason: string): void {
    this.#logger.warn('version failed', { model: record.model, version: record.version, reason });
    const updated = this.#store.updateVersion(record.model, record.version, {
      state: VersionState.Failed,
      reason,
    });
    this.#events.emit('version', this.#info(updated));
  }

  #latestEvaluation(model: string): VersionRecord['evaluation'] {
    return this.#store.hasModel(model)
      ? (this.#store.versions(model).find((record) => record.evaluation !== null)?.evaluation ??
          null)
      : null;
  }

  #summary(name: string): ModelSummary {
    return {
      name,
      aliases: { ...this.#aliases.get(name) },
      versions: this.#store.versions(name).length,
      policy: null,
    };
  }

  #status(record: VersionRecord): ModelVersionStatus {
    return versionStatus(record, this.#loaded.get(record.model, record.version));
  }

  #info(record: VersionRecord): ModelVersionInfo {
    const worker = this.#loaded.get(record.model, record.version);
    return versionInfo(record, worker, this.#aliases.get(record.model) ?? {});
  }

  #modelDir(model: string, version: number): string {
    return join(this.#options.dataDir, 'models', model, String(version));
  }

  #requireModel(model: string): void {
    if (!this.#aliases.has(model)) throw modelNotFound(model);
  }

  #requireVersion(model: string, version: number): VersionRecord {
    this.#requireModel(model);
    const record = this.#store.version(model, version);
    if (!record) throw versionNotFound(model, version);
    return record;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
