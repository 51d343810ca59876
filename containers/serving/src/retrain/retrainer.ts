import {
  ErrorCode,
  KilnError,
  RetrainStatus,
  RetrainTrigger,
  type FeedbackStats,
  type Logger,
  type RetrainInfo,
} from '@kiln/api';
import type { ServingEvents } from '../events/serving-events.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { FeedbackStore } from '../store/feedback-store.js';
import { retrainInfo, type RetrainRecord, type RetrainStore } from '../store/retrain-store.js';
import type { RetrainDriver } from './retrain-driver.js';
import type { RetrainPolicies } from './retrain-policies.js';

/** What a {@link Retrainer} needs. */
export interface RetrainerOptions {
  store: RetrainStore;
  feedback: FeedbackStore;
  policies: RetrainPolicies;
  registry: ModelRegistry;
  driver: RetrainDriver;
  events: ServingEvents;
  logger: Logger;
  /** This database's token, which run names carry. */
  token: string;
}

/**
 * Continuous training: when a model's pending labels reach its policy's threshold, starts one
 * retraining run (the database allows no second one in flight), and drives it to its end with
 * the {@link RetrainDriver}. Labels given while a run is in flight wait for the next one; once a
 * run ends with a verdict, the threshold is checked again. A run that fails releases its labels
 * and starts nothing by itself: the next label (or a person) does, so a pipeline that keeps
 * failing is not retried in a loop. After a restart, {@link restore} picks up the runs in flight.
 */
export class Retrainer {
  readonly #options: RetrainerOptions;
  readonly #abort = new AbortController();
  readonly #drives = new Set<Promise<void>>();

  constructor(options: RetrainerOptions) {
    this.#options = options;
  }

  /** Picks up every run a restart interrupted, at the step it had reached. */
  restore(): void {
    for (const record of this.#options.store.allInFlight()) {
      this.#options.logger.info('picking up a retraining run', {
        model: record.model,
        run: record.run,
        status: record.status,
      });
      this.#drive(record);
    }
  }

  /** A label was stored for `model`: starts a run if the policy says it is time. */
  onLabel(model: string): void {
    const policy = this.#options.policies.get(model);
    if (!policy.enabled || policy.pipeline === null || this.#abort.signal.aborted) return;
    if (this.#options.feedback.counts(model).pending < policy.threshold) return;
    const record = this.#options.store.begin({
      model,
      pipeline: policy.pipeline,
      trigger: RetrainTrigger.Threshold,
      token: this.#options.token,
    });
    if (record) this.#launch(record);
  }

  /**
   * Starts a retraining run by hand, whatever the threshold: 409 when one is in flight, when no
   * label is pending, or when the model has no pipeline to retrain with.
   */
  start(model: string): RetrainInfo {
    this.#options.registry.detail(model);
    const policy = this.#options.policies.get(model);
    if (policy.pipeline === null) {
      throw new KilnError(
        ErrorCode.NothingToRetrain,
        `'${model}' has no pipeline to retrain with: set one with PUT /models/${model}/policy`,
        { status: 409 },
      );
    }
    const running = this.#options.store.inFlight(model);
    if (running) throw this.#running(running);
    if (this.#options.feedback.counts(model).pending === 0) {
      throw new KilnError(
        ErrorCode.NothingToRetrain,
        `'${model}' has no new label to retrain on: every label was counted by an earlier run`,
        { status: 409 },
      );
    }
    const record = this.#options.store.begin({
      model,
      pipeline: policy.pipeline,
      trigger: RetrainTrigger.Manual,
      token: this.#options.token,
    });
    if (!record) throw this.#running(this.#options.store.inFlight(model));
    this.#launch(record);
    return retrainInfo(record);
  }

  /** Progress toward the model's next run. */
  stats(model: string): FeedbackStats {
    const counts = this.#options.feedback.counts(model);
    const running = this.#options.store.inFlight(model);
    return {
      model,
      ...counts,
      threshold: this.#options.policies.get(model).threshold,
      retraining: running ? { pipeline: running.pipeline, run: running.run, id: running.id } : null,
    };
  }

  /** A model's runs, newest first. */
  list(model: string, limit?: number): RetrainInfo[] {
    this.#options.registry.detail(model);
    return this.#options.store.list(model, limit).map(retrainInfo);
  }

  get(model: string, id: number): RetrainInfo {
    const record = this.#options.store.get(id);
    if (!record || record.model !== model) {
      throw new KilnError(ErrorCode.RetrainNotFound, `'${model}' has no retraining run ${id}`, {
        status: 404,
      });
    }
    return retrainInfo(record);
  }

  /** Stops following runs (they are picked up at the next start) and waits for the drivers. */
  async close(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#drives]);
  }

  #launch(record: RetrainRecord): void {
    this.#options.logger.info('retraining', {
      model: record.model,
      run: record.run,
      trigger: record.trigger,
      labels: record.labels,
    });
    this.#options.events.emit('retrain', retrainInfo(record));
    this.#drive(record);
  }

  #drive(record: RetrainRecord): void {
    const signal = this.#abort.signal;
    const drive = this.#options.driver.drive(record, signal).then(
      (final) => {
        const judged =
          final.status === RetrainStatus.Promoted || final.status === RetrainStatus.Rejected;
        // Labels that came during the run may already make the next one.
        if (judged && !signal.aborted) this.onLabel(final.model);
      },
      (error: unknown) => {
        this.#options.logger.error('retraining stopped unexpectedly', {
          model: record.model,
          run: record.run,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
    const tracked = drive.finally(() => this.#drives.delete(tracked));
    this.#drives.add(tracked);
  }

  #running(record: RetrainRecord | null): KilnError {
    return new KilnError(
      ErrorCode.RetrainRunning,
      record
        ? `'${record.model}' is retraining already (run ${record.run}, ${record.status})`
        : 'a retraining run is in flight already',
      { status: 409 },
    );
  }
}
