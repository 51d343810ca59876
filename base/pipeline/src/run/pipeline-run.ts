import type { ArtifactSummary, StepInfo } from '@kiln/api';
import { isFinalStatus } from '@kiln/api';
import type { ToolClient } from '@kiln/client';
import type { BuildContext } from '@kiln/core';
import type {
  BaseRunParameters,
  PipelineContext,
  ResolvedPipelineRuntimeOptions,
  StepOptions,
} from '../pipeline-definition.js';
import { stepArtifactName } from '../step-name.js';
import { STEPS_REPORT, StepLedger } from './step-ledger.js';
import { StepResult } from './step-result.js';
import { runStep, type StepJob } from './step-runner.js';

/** Progress stays below 1 until the run has written its data. */
const MAX_RUNNING_PROGRESS = 0.99;

/**
 * One run in the mule: the `p` that `run(p)` receives. Tracks the steps in a ledger the server
 * reads, and turns each step's progress into the run's overall progress.
 */
export class PipelineRun<P> implements PipelineContext<P> {
  readonly name: string;
  readonly attempt: number;
  readonly parameters: P & BaseRunParameters;
  readonly signal: AbortSignal;
  readonly #ctx: BuildContext<P & BaseRunParameters>;
  readonly #clients: ReadonlyMap<string, ToolClient>;
  readonly #options: ResolvedPipelineRuntimeOptions;
  readonly #expectedSteps: number;
  readonly #ledger: StepLedger;
  readonly #results: StepResult[] = [];

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
    this.signal = ctx.signal;
    this.#options = options;
    this.#expectedSteps = expectedSteps;
    this.#clients = clients;
    this.#ledger = new StepLedger((steps) => ctx.report(STEPS_REPORT, steps));
  }

  get steps(): readonly StepResult[] {
    return this.#results;
  }

  /** The ledger's entries, for the run's data document. */
  get stepInfos(): readonly StepInfo[] {
    return this.#ledger.steps;
  }

  log(...args: unknown[]): void {
    this.#ctx.log(...args);
  }

  async step(
    container: string,
    parameters: Record<string, unknown> = {},
    options: StepOptions = {},
  ): Promise<StepResult> {
    this.signal.throwIfAborted();
    const client = this.#clients.get(container);
    if (!client) {
      throw new TypeError(
        `step on unknown container '${container}' (known: ${[...this.#clients.keys()].join(', ')})`,
      );
    }
    const step = this.#stepName(container, options.step);
    const artifact = stepArtifactName(this.name, step);
    const index = this.#ledger.add(step, container, artifact, client.artifactUrl(artifact));
    const cache = options.cache ?? this.parameters.cache;
    this.log(`[${step}] ${container}: ${artifact}${cache ? '' : ' (cache off)'}`);
    const summary = await this.#runStep(index, {
      client,
      container,
      step,
      artifact,
      parameters: JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>,
      cache,
      signal: this.signal,
      options: this.#options,
      log: (line) => this.#ctx.log(line),
      onUpdate: (update) => this.#onUpdate(index, step, update),
    });
    if (!summary.cached) this.log(`[${step}] completed`);
    const result = new StepResult(step, container, client, artifact, summary);
    this.#results.push(result);
    return result;
  }

  async #runStep(index: number, job: StepJob): Promise<ArtifactSummary> {
    try {
      return await runStep(job);
    } catch (error) {
      this.#ledger.refuse(index);
      throw error;
    }
  }

  /** The step's name: the one asked for, or the container's, numbered when it repeats. */
  #stepName(container: string, wanted: string | undefined): string {
    if (wanted !== undefined) {
      if (this.#ledger.has(wanted))
        throw new TypeError(`step '${wanted}' appears twice in run '${this.name}'`);
      return wanted;
    }
    let name = container;
    for (let n = 2; this.#ledger.has(name); n += 1) name = `${container}-${n}`;
    return name;
  }

  #onUpdate(index: number, step: string, summary: ArtifactSummary): void {
    this.#ledger.update(index, summary);
    const total = Math.max(this.#expectedSteps, this.#ledger.steps.length);
    const current = isFinalStatus(summary.status) ? 0 : summary.progress;
    const fraction = Math.min(MAX_RUNNING_PROGRESS, (this.#ledger.finished + current) / total);
    this.#ctx.progress(fraction, `${step}: ${summary.message ?? summary.status}`);
  }
}
