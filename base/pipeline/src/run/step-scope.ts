import type { RunVariants, VariantGoal } from '@kiln/api';
import type { BaseRunParameters, StepOptions } from '../step-context.js';
import type { StepGroup } from './step-group.js';
import type { StepResult } from './step-result.js';

/** Where a variant's steps go: its group, its names, its results. */
export interface StepScope {
  /** The variant: suffix of its steps' names, and their `variant` in the ledger. */
  readonly variant: string;
  /** The variant's running steps, stopped when the variant ends. */
  readonly group: StepGroup;
  /** Names given within the variant so far (`train`), so a repeated container is numbered. */
  readonly given: Set<string>;
  /** The variant's completed steps, in the order they completed. */
  readonly results: StepResult[];
  /** Called once a step is named, before it is created. */
  onStep(given: string, step: string, url: string): void;
}

/**
 * What a sweep needs of the run that holds it: its identity, its log, steps in a scope, and a
 * place for the sweep's comparison. `PipelineRun` is the one implementation.
 */
export interface SweepHost<P> {
  readonly name: string;
  readonly attempt: number;
  readonly parameters: P & BaseRunParameters;
  /** The run's signal: aborted when the run is cancelled. */
  readonly signal: AbortSignal;
  log(...args: unknown[]): void;
  /** `p.step` within a variant's scope. */
  stepIn(
    scope: StepScope,
    container: string,
    parameters: Record<string, unknown>,
    options: StepOptions,
  ): Promise<StepResult>;
  /** Starts the run's one sweep; throws when the run has swept already. */
  openBoard(
    variants: readonly { name: string }[],
    options: { metric: string; goal: VariantGoal },
  ): { readonly section: RunVariants } & VariantRecorder;
}

/** How a sweep records its variants (`SweepBoard`). */
export interface VariantRecorder {
  addStep(variant: string, given: string, step: string, url: string): void;
  complete(variant: string, figures: Record<string, unknown>): void;
  fail(variant: string, error: string): void;
  cancel(variant: string): void;
}
