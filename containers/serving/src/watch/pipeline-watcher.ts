import { ModelVersionStatus, type Logger, type StepInfo } from '@kiln/api';
import { Kiln, type KilnOptions, type PipelineClient } from '@kiln/client';
import { setTimeout as delay } from 'node:timers/promises';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { PipelineWatch } from './pipeline-watch.js';

/** What a {@link PipelineWatcher} needs. */
export interface PipelineWatcherOptions {
  watch: PipelineWatch;
  registry: ModelRegistry;
  logger: Logger;
  /** How the pipeline and its containers are reached (the topology, among others). */
  client?: KilnOptions;
  /** First wait before reconnecting to a pipeline that does not answer. @defaultValue 1000 */
  retryMs?: number;
}

/**
 * Serves a pipeline's result without anyone asking: follows the pipeline's `/events` through
 * `@kiln/client` (and the topology), and while the model has no version (or only failed ones),
 * registers the model of the newest completed run it has not tried yet (a sweep's: its best
 * variant's), evaluated on the set the run's benchmark used. Later runs are left to whoever
 * promotes models (`POST /models/{model}/versions`).
 */
export class PipelineWatcher {
  readonly #options: PipelineWatcherOptions;
  readonly #pipeline: PipelineClient;
  readonly #abort = new AbortController();
  readonly #tried = new Set<string>();
  #checking: Promise<void> = Promise.resolve();
  #loop: Promise<void> | undefined;

  constructor(options: PipelineWatcherOptions) {
    this.#options = options;
    this.#pipeline = Kiln.direct(options.watch.url, options.client).pipeline();
  }

  /** Starts following the pipeline in the background. */
  start(): void {
    this.#loop ??= this.#follow();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#checking;
  }

  async #follow(): Promise<void> {
    const signal = this.#abort.signal;
    let wait = this.#options.retryMs ?? 1000;
    while (!signal.aborted) {
      try {
        const events = this.#pipeline.events({ signal, onOpen: () => this.#check() });
        for await (const event of events) {
          wait = this.#options.retryMs ?? 1000;
          if (event.artifact.status === 'completed') this.#check();
        }
      } catch (error) {
        if (signal.aborted) return;
        this.#options.logger.debug('pipeline not answering; trying again', {
          pipeline: this.#options.watch.url,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      await delay(wait, undefined, { signal }).catch(() => undefined);
      wait = Math.min(wait * 2, 30_000);
    }
  }

  /** Runs one check after the previous one, never two at once. */
  #check(): void {
    this.#checking = this.#checking.then(() =>
      this.#registerIfNeeded().catch((error: unknown) => {
        if (this.#abort.signal.aborted) return;
        this.#options.logger.warn('could not serve the pipeline run', {
          model: this.#options.watch.model,
          reason: error instanceof Error ? error.message : String(error),
        });
      }),
    );
  }

  async #registerIfNeeded(): Promise<void> {
    const { registry, watch } = this.#options;
    const versions = registry.modelNames().includes(watch.model)
      ? registry.versions(watch.model)
      : [];
    for (const version of versions) if (version.source) this.#tried.add(version.source.run);
    if (versions.some((version) => version.status !== ModelVersionStatus.Failed)) return;
    const signal = this.#abort.signal;
    const runs = await this.#pipeline.runs({ status: 'completed', signal });
    const run = runs.find((candidate) => !this.#tried.has(candidate.name));
    if (!run) return;
    this.#tried.add(run.name);
    const { model, benchmark, variant } = await this.#modelOf(run.name);
    const evaluation = benchmark ? await this.#evaluationSet(benchmark) : undefined;
    const description = await this.#pipeline.describe({ signal });
    this.#options.logger.info('serving a completed pipeline run', {
      model: watch.model,
      run: run.name,
      ...(variant ? { variant } : {}),
      artifact: model.url,
    });
    await registry.register(
      watch.model,
      { artifact: model.url, ...(evaluation ? { evaluation } : {}) },
      { pipeline: description.name, run: run.name },
    );
  }

  /**
   * A completed run's model step and benchmark step: the run's own (`train`, `benchmark`), or,
   * for a run that swept variants, its best variant's (`train-wide`, `benchmark-wide`), whose
   * figures are the run's.
   */
  async #modelOf(
    run: string,
  ): Promise<{ model: StepInfo; benchmark?: StepInfo; variant?: string }> {
    const { watch } = this.#options;
    const signal = this.#abort.signal;
    const [steps, variants] = await Promise.all([
      this.#pipeline.steps(run, { signal }),
      this.#pipeline.variants(run, { signal }),
    ]);
    const best = variants?.results.find((result) => result.name === variants.best);
    if (variants && !best) throw new Error(`run '${run}' swept variants, and none completed`);
    // A variant's steps are named in the run after it: `train` → `train-wide`.
    const named = (step: string): StepInfo | undefined => {
      const name = best ? best.steps[step] : step;
      return steps.find((candidate) => candidate.step === name);
    };
    const modelStep = watch.modelStep ?? 'train';
    const model = named(modelStep);
    if (!model) {
      const whose = best ? ` (its best variant '${best.name}')` : '';
      throw new Error(`run '${run}'${whose} has no '${modelStep}' step`);
    }
    const benchmark = named(watch.evaluationStep ?? 'benchmark');
    return { model, ...(benchmark ? { benchmark } : {}), ...(best ? { variant: best.name } : {}) };
  }

  /** The `dataset` input of the run's benchmark step, if it has one. */
  async #evaluationSet(step: StepInfo): Promise<string | undefined> {
    const { client, name } = Kiln.artifactAt(step.url, this.#options.client);
    const record = await client.get(name, { signal: this.#abort.signal });
    return record.inputs.find((input) => input.parameter === 'dataset')?.url;
  }
}
