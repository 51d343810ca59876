import {
  ErrorCode,
  ModelVersionStatus,
  RetrainStatus,
  type ArtifactSummary,
  type Logger,
  type ModelVersionInfo,
  type RetrainPolicy,
} from '@kiln/api';
import { Kiln, isKilnApiError, type KilnOptions, type PipelineClient } from '@kiln/client';
import { serviceUrl } from '@kiln/topology';
import { setTimeout as delay } from 'node:timers/promises';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { RetrainPatch, RetrainRecord, RetrainStore } from '../store/retrain-store.js';
import { runModel } from '../watch/run-model.js';
import type { Gate } from './gate.js';

/** The pipeline parameter a retraining run's snapshot is given in. */
const EXTRA_TRAINING_DATA = 'extraTrainingData';

/** Makes the labelled-dataset artifact a retraining run trains on. */
export interface SnapshotMaker {
  /**
   * Creates the snapshot artifact `name` of `model`'s labels up to `through` (unless it exists),
   * waits for it, and resolves with its URL as other containers name it; rejects when its build
   * failed.
   */
  make(
    request: { name: string; model: string; through: number },
    signal: AbortSignal,
  ): Promise<string>;
}

/** What a {@link RetrainDriver} needs. */
export interface RetrainDriverOptions {
  store: RetrainStore;
  registry: ModelRegistry;
  gate: Gate;
  snapshots: SnapshotMaker;
  policy(model: string): RetrainPolicy;
  /** How pipelines are reached: the topology. */
  client: KilnOptions;
  logger: Logger;
  /** Announces each change of a run (the `retrain` event). */
  onChange(record: RetrainRecord): void;
  /** First wait before asking a pipeline that did not answer again. @defaultValue 1000 */
  retryMs?: number;
  /** How long a pipeline may go unanswering before the run fails. @defaultValue 15 minutes */
  patienceMs?: number;
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Takes one retraining run from wherever it stands to its end, and can be started again at any
 * of its steps after a restart: each step first looks for what an interrupted attempt left (the
 * snapshot by its name, the pipeline run by its name, the version by its source) and adopts it.
 *
 * 1. `snapshotting`: the labelled-dataset artifact is made; the pipeline run is started under
 *    the name the record holds, with the champion's run's parameters and the snapshot as
 *    `extraTrainingData`; then `running`.
 * 2. `running`: the pipeline run is followed to its end. Completed: its labels are used and the
 *    run goes on to `gating`; failed or cancelled: its labels are released, and it ends so.
 * 3. `gating`: the run's model is registered (it becomes challenger), judged by the gate, and
 *    promoted or rejected; the verdict is stored before it is carried out.
 */
export class RetrainDriver {
  readonly #options: RetrainDriverOptions;

  constructor(options: RetrainDriverOptions) {
    this.#options = options;
  }

  /** Drives a run to its end; resolves with its final record (or as it stood when aborted). */
  async drive(initial: RetrainRecord, signal: AbortSignal): Promise<RetrainRecord> {
    let record = initial;
    try {
      if (record.status === RetrainStatus.Snapshotting) record = await this.#start(record, signal);
      if (record.status === RetrainStatus.Running) record = await this.#follow(record, signal);
      if (record.status === RetrainStatus.Gating) record = await this.#gate(record, signal);
    } catch (error) {
      if (signal.aborted) return record;
      record = this.#options.store.get(record.id) ?? record;
      const reason = describe(error);
      this.#options.logger.warn('retraining failed', {
        model: record.model,
        run: record.run,
        reason,
      });
      record =
        record.status === RetrainStatus.Gating
          ? this.#update(record, { status: RetrainStatus.Failed, reason })
          : this.#release(record, RetrainStatus.Failed, reason);
    }
    return record;
  }

  async #start(record: RetrainRecord, signal: AbortSignal): Promise<RetrainRecord> {
    const { snapshots, logger } = this.#options;
    const snapshot = await snapshots
      .make({ name: record.snapshotName, model: record.model, through: record.through }, signal)
      .catch((error: unknown) => {
        throw signal.aborted
          ? error
          : new Error(`its snapshot failed: ${describe(error)}`, { cause: error });
      });
    const pipeline = this.#pipeline(record);
    const exists = await this.#patiently(signal, () =>
      this.#runExists(pipeline, record.run, signal),
    );
    if (!exists) {
      const parameters = await this.#patiently(signal, () =>
        this.#parameters(record, pipeline, snapshot, signal),
      );
      try {
        await this.#patiently(signal, () => pipeline.run({ name: record.run, parameters, signal }));
        logger.info('retraining run started', { model: record.model, run: record.run });
      } catch (error) {
        // Another attempt of this very run created it: follow that one.
        if (!(isKilnApiError(error) && error.code === ErrorCode.ArtifactExists)) {
          throw signal.aborted
            ? error
            : new Error(`the pipeline refused the run: ${describe(error)}`, { cause: error });
        }
      }
    }
    return this.#update(record, { snapshot, status: RetrainStatus.Running });
  }

  async #follow(record: RetrainRecord, signal: AbortSignal): Promise<RetrainRecord> {
    const pipeline = this.#pipeline(record);
    let summary: ArtifactSummary;
    try {
      summary = await this.#patiently(signal, () => pipeline.wait(record.run, { signal }));
    } catch (error) {
      if (isKilnApiError(error) && error.code === ErrorCode.ArtifactNotFound) {
        throw new Error(`the pipeline run '${record.run}' is gone`, { cause: error });
      }
      throw error;
    }
    if (summary.status === 'completed') {
      this.#options.logger.info('retraining run completed', {
        model: record.model,
        run: record.run,
      });
      const completed = this.#options.store.complete(record.id);
      this.#options.onChange(completed);
      return completed;
    }
    if (summary.status === 'cancelled') {
      return this.#release(record, RetrainStatus.Cancelled, 'the pipeline run was cancelled');
    }
    return this.#release(
      record,
      RetrainStatus.Failed,
      `the pipeline run failed: ${summary.error ?? 'no reason given'}`,
    );
  }

  async #gate(initial: RetrainRecord, signal: AbortSignal): Promise<RetrainRecord> {
    const { registry, gate } = this.#options;
    let record = initial;
    const version =
      record.version ?? this.#adoptVersion(record) ?? (await this.#register(record, signal));
    if (record.version !== version) record = this.#update(record, { version });
    const settled = await this.#settled(record.model, version, signal);
    if (settled.status === ModelVersionStatus.Failed) {
      return this.#update(record, {
        status: RetrainStatus.Failed,
        reason: `its model could not be served: ${settled.reason ?? 'no reason given'}`,
      });
    }
    let verdict = record.verdict;
    if (verdict === null) {
      const champion = registry.detail(record.model).aliases.champion;
      verdict = await gate.judge({
        model: record.model,
        challenger: version,
        champion: champion === undefined || champion === version ? null : champion,
        policy: this.#options.policy(record.model),
      });
      record = this.#update(record, { verdict });
    }
    if (verdict.promoted) {
      if (registry.detail(record.model).aliases.champion !== version) {
        await registry.setAlias(record.model, 'champion', version);
      }
      this.#options.logger.info('retrained model promoted', { model: record.model, version });
      return this.#update(record, { status: RetrainStatus.Promoted });
    }
    await registry.reject(record.model, version, verdict.reason);
    this.#options.logger.info('retrained model rejected', { model: record.model, version });
    return this.#update(record, { status: RetrainStatus.Rejected });
  }

  /** The version an interrupted attempt registered for this run, if any. */
  #adoptVersion(record: RetrainRecord): number | null {
    const versions = this.#options.registry.modelNames().includes(record.model)
      ? this.#options.registry.versions(record.model)
      : [];
    return versions.find((v) => v.source?.run === record.run)?.version ?? null;
  }

  async #register(record: RetrainRecord, signal: AbortSignal): Promise<number> {
    const pipeline = this.#pipeline(record);
    const { model, evaluation } = await this.#patiently(signal, () =>
      runModel(pipeline, record.run, { client: this.#options.client, signal }),
    );
    const description = await this.#patiently(signal, () => pipeline.describe({ signal }));
    const info = await this.#options.registry.register(
      record.model,
      { artifact: model.url, ...(evaluation ? { evaluation } : {}) },
      { pipeline: description.name, run: record.run, retrain: record.id },
    );
    return info.version;
  }

  /** The version once it is no longer loading (or the signal's reason, once aborted). */
  async #settled(model: string, version: number, signal: AbortSignal): Promise<ModelVersionInfo> {
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    for (;;) {
      const info = await Promise.race([
        this.#options.registry.waitForVersion(model, version, 30),
        aborted,
      ]);
      if (info.status !== ModelVersionStatus.Loading) return info;
    }
  }

  /** The retraining run's parameters: the champion's run's, with the snapshot added. */
  async #parameters(
    record: RetrainRecord,
    pipeline: PipelineClient,
    snapshot: string,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const { registry, logger } = this.#options;
    const description = await pipeline.describe({ signal });
    const champion = registry.detail(record.model).aliases.champion;
    const source = champion === undefined ? null : registry.version(record.model, champion).source;
    let base: Record<string, unknown> = {};
    if (source && source.pipeline === description.name) {
      try {
        base = await pipeline.inputParameters(source.run, { signal });
      } catch (error) {
        if (!(isKilnApiError(error) && error.code === ErrorCode.ArtifactNotFound)) throw error;
        logger.warn("the champion's run is gone; retraining with the pipeline's defaults", {
          model: record.model,
          run: source.run,
        });
      }
    }
    return { ...base, [EXTRA_TRAINING_DATA]: snapshot };
  }

  async #runExists(pipeline: PipelineClient, run: string, signal: AbortSignal): Promise<boolean> {
    try {
      await pipeline.status(run, { signal });
      return true;
    } catch (error) {
      if (isKilnApiError(error) && error.code === ErrorCode.ArtifactNotFound) return false;
      throw error;
    }
  }

  /**
   * Calls `task` again while the pipeline does not answer (connection refused, 502, 503), with
   * backoff, for at most `patienceMs`; any other error is the task's answer.
   */
  async #patiently<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const first = this.#options.retryMs ?? 1000;
    const giveUp = Date.now() + (this.#options.patienceMs ?? 15 * 60_000);
    let wait = first;
    for (;;) {
      try {
        return await task();
      } catch (error) {
        const transient = isKilnApiError(error) && error.retryable;
        if (signal.aborted || !transient || Date.now() >= giveUp) throw error;
        this.#options.logger.debug('the pipeline did not answer; trying again', {
          reason: describe(error),
        });
      }
      await delay(wait, undefined, { signal });
      wait = Math.min(wait * 2, 30_000);
    }
  }

  #pipeline(record: RetrainRecord): PipelineClient {
    return Kiln.direct(serviceUrl(record.pipeline), this.#options.client).pipeline();
  }

  #update(record: RetrainRecord, patch: RetrainPatch): RetrainRecord {
    const updated = this.#options.store.update(record.id, patch);
    this.#options.onChange(updated);
    return updated;
  }

  #release(
    record: RetrainRecord,
    status: typeof RetrainStatus.Failed | typeof RetrainStatus.Cancelled,
    reason: string,
  ): RetrainRecord {
    const released = this.#options.store.release(record.id, status, reason);
    this.#options.logger.info('retraining run ended; its labels are pending again', {
      model: record.model,
      run: record.run,
      status,
      reason,
    });
    this.#options.onChange(released);
    return released;
  }
}
