import type { ArtifactSummary, RunVariants, StepInfo, VariantGoal } from '@kiln/api';
import type { ToolClient } from '@kiln/client';
import type { BuildContext } from '@kiln/core';
import type { PipelineContext, ResolvedPipelineRuntimeOptions } from '../pipeline-definition.js';
import type { BaseRunParameters, StepOptions } from '../step-context.js';
import { stepArtifactName } from '../step-name.js';
import type { SweepOptions, SweepResult, Variant, VariantBody } from '../sweep-definition.js';
import { RunProgress } from './run-progress.js';
import { runSweep } from './run-sweep.js';
import { StepGroup } from './step-group.js';
import { STEPS_REPORT, StepLedger } from './step-ledger.js';
import { StepResult } from './step-result.js';
import { runStep, type StepJob } from './step-runner.js';
import type { StepScope, SweepHost } from './step-scope.js';
import { SweepBoard, VARIANTS_REPORT } from './sweep-board.js';

/**
 * One run in the mule: the `p` that `run(p)` receives. Steps may run at once: each is named
 * when it is called (so `Promise.all([p.step(…), p.step(…)])` names them in call order, the same
 * on every attempt), tracked in a ledger the server reads, and followed until it settles;
 * {@link finish} cancels those still running when `run` has ended.
 */
export class PipelineRun<P> implements PipelineContext<P>, SweepHost<P> {
  readonly name: string;
  readonly attempt: number;
  readonly parameters: P & BaseRunParameters;
  readonly #ctx: BuildContext<P & BaseRunParameters>;
  readonly #clients: ReadonlyMap<string, ToolClient>;
  readonly #options: ResolvedPipelineRuntimeOptions;
  readonly #ledger: StepLedger;
  readonly #progress: RunProgress;
  readonly #group: StepGroup;
  readonly #results: StepResult[] = [];
  #board: SweepBoard | undefined;

  constructor(
    ctx: BuildContext<P & BaseRunParameters>,
    clients: ReadonlyMap<string, ToolClient>,
    options: ResolvedPipelineRuntimeOptions,
    expectedSteps: number,
  ) {
    this.#ctx = ctx;
    this.name = ctx.name;
    this.attempt = ctx.attempt;
    this.parameters = ctx.parameters;
    this.#options = options;
    this.#clients = clients;
    this.#ledger = new StepLedger((steps) => ctx.report(STEPS_REPORT, steps));
    this.#progress = new RunProgress(expectedSteps);
    this.#group = new StepGroup(ctx.signal);
  }

  /** Aborted when the run is cancelled, and once `run` has ended (stopping stray steps). */
  get signal(): AbortSignal {
    return this.#group.signal;
  }

  get steps(): readonly StepResult[] {
    return this.#results;
  }

  /** The ledger's entries, for the run's data document. */
  get stepInfos(): readonly StepInfo[] {
    return this.#ledger.steps;
  }

  /** The sweep's comparison, for the run's data document; undefined when the run swept none. */
  get variants(): RunVariants | undefined {
    return this.#board?.section;
  }

  log(...args: unknown[]): void {
    this.#ctx.log(...args);
  }

  step(
    container: string,
    parameters: Record<string, unknown> = {},
    options: StepOptions = {},
  ): Promise<StepResult> {
    return this.#group.track(this.#start(undefined, container, parameters, options));
  }

  stepIn(
    scope: StepScope,
    container: string,
    parameters: Record<string, unknown>,
    options: StepOptions,
  ): Promise<StepResult> {
    return scope.group.track(this.#start(scope, container, parameters, options));
  }

  sweep<V extends Variant>(
    variants: readonly V[],
    body: VariantBody<P, V>,
    options: SweepOptions,
  ): Promise<SweepResult<V>> {
    return runSweep(this, variants, body, options);
  }

  openBoard(
    variants: readonly { name: string }[],
    options: { metric: string; goal: VariantGoal },
  ): SweepBoard {
    if (this.#board) throw new TypeError(`run '${this.name}' has swept once already`);
    const noted = new Set<string>();
    this.#board = new SweepBoard(variants, options, (section) => {
      this.#ctx.report(VARIANTS_REPORT, section);
      for (const name of section.failed.filter((failed) => !noted.has(failed))) {
        noted.add(name);
        const { fraction, message } = this.#progress.note(`variant ${name} failed`);
        this.#ctx.progress(fraction, message);
      }
    });
    return this.#board;
  }

  /**
   * Called once `run(p)` has returned or thrown: cancels the steps still running (a sibling
   * failed under `Promise.all`, or a step was never awaited) and waits for them.
   */
  async finish(): Promise<void> {
    if (this.#group.running === 0) return;
    const running = this.#ledger.steps.filter((step) => step.finishedAt === null);
    if (!this.#ctx.signal.aborted)
      this.log(
        `the run ended with ${running.length} step(s) still running; cancelling ` +
          running.map((step) => step.step).join(', '),
      );
    await this.#group.close('the run has ended');
  }

  /** The run's last message: `completed`, and which variants failed, if any. */
  finalMessage(): string {
    const failed = this.#board?.section.failed ?? [];
    if (failed.length === 0) return 'completed';
    return `completed; ${failed.length === 1 ? 'variant' : 'variants'} ${failed.join(', ')} failed`;
  }

  /**
   * Names the step, records it in the ledger, then runs it. Everything before the first `await`
   * runs when `step` is called, so concurrent calls are named in the order they were made.
   */
  async #start(
    scope: StepScope | undefined,
    container: string,
    parameters: Record<string, unknown>,
    options: StepOptions,
  ): Promise<StepResult> {
    const signal = (scope?.group ?? this.#group).signal;
    signal.throwIfAborted();
    const client = this.#clients.get(container);
    if (!client) {
      throw new TypeError(
        `step on unknown container '${container}' (known: ${[...this.#clients.keys()].join(', ')})`,
      );
    }
    const given = this.#givenName(container, options.step, scope);
    const step = scope ? `${given}-${scope.variant}` : given;
    if (scope && this.#ledger.has(step))
      throw new TypeError(`step '${step}' appears twice in run '${this.name}'`);
    const artifact = stepArtifactName(this.name, step);
    const url = client.artifactUrl(artifact);
    const index = this.#ledger.add(step, container, artifact, url, scope?.variant);
    scope?.given.add(given);
    scope?.onStep(given, step, url);
    const cache = options.cache ?? this.parameters.cache;
    this.log(`[${step}] ${container}: ${artifact}${cache ? '' : ' (cache off)'}`);
    const summary = await this.#runStep(index, {
      client,
      container,
      step,
      artifact,
      parameters: JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>,
      cache,
      signal,
      options: this.#options,
      log: (line) => this.#ctx.log(line),
      onUpdate: (update) => this.#onUpdate(index, step, update),
    });
    if (!summary.cached) this.log(`[${step}] completed`);
    const result = new StepResult(step, container, client, artifact, summary);
    this.#results.push(result);
    scope?.results.push(result);
    return result;
  }

  async #runStep(index: number, job: StepJob): Promise<ArtifactSummary> {
    try {
      return await runStep(job);
    } catch (error) {
      this.#ledger.abandon(index, job.signal.aborted ? 'cancelled' : 'failed');
      throw error;
    }
  }

  /**
   * The step's name: the one asked for, or the container's, numbered when it repeats. In a
   * variant, names repeat per variant (`train` in each), and the run's name adds the variant.
   */
  #givenName(container: string, wanted: string | undefined, scope: StepScope | undefined): string {
    const taken = (name: string): boolean =>
      scope ? scope.given.has(name) : this.#ledger.has(name);
    if (wanted !== undefined) {
      if (taken(wanted))
        throw new TypeError(`step '${wanted}' appears twice in run '${this.name}'`);
      return wanted;
    }
    let name = container;
    for (let n = 2; taken(name); n += 1) name = `${container}-${n}`;
    return name;
  }

  #onUpdate(index: number, step: string, summary: ArtifactSummary): void {
    this.#ledger.update(index, summary);
    const { fraction, message } = this.#progress.update(index, step, summary);
    this.#ctx.progress(fraction, message);
  }
}
