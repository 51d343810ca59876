import { isFinalStatus, type ArtifactSummary, type StepInfo } from '@kiln/api';

/** The name of the report that holds a run's steps (`GET /runs/{name}/steps` reads it). */
export const STEPS_REPORT = 'steps';

/**
 * The run's steps as `GET /runs/{name}/steps` shows them. Every change is written through
 * `persist` (the run's `steps` report, a file), so the list survives the mule and the server
 * can read it while the run builds.
 */
export class StepLedger {
  readonly #steps: StepInfo[] = [];
  readonly #persist: (steps: StepInfo[]) => void;
  #unsaved = false;

  constructor(persist: (steps: StepInfo[]) => void) {
    this.#persist = persist;
  }

  get steps(): readonly StepInfo[] {
    return this.#steps;
  }

  /** How many steps reached a final state. */
  get finished(): number {
    return this.#steps.filter((step) => isFinalStatus(step.status)).length;
  }

  has(step: string): boolean {
    return this.#steps.some((entry) => entry.step === step);
  }

  /**
   * Adds a step before its artifact exists; returns its index. It is written with its first
   * summary (one write fewer per step: a cache hit is final at once).
   */
  add(step: string, container: string, artifact: string, url: string): number {
    this.#steps.push({
      step,
      container,
      artifact,
      url,
      status: 'queued',
      cached: false,
      startedAt: null,
      finishedAt: null,
    });
    this.#unsaved = true;
    return this.#steps.length - 1;
  }

  /** Records the step's latest summary; writes only when something shown changed. */
  update(index: number, summary: ArtifactSummary): void {
    const entry = this.#entry(index);
    const next: StepInfo = {
      ...entry,
      status: summary.status,
      cached: summary.cached,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
    };
    const changed = (['status', 'cached', 'startedAt', 'finishedAt'] as const).some(
      (key) => next[key] !== entry[key],
    );
    if (!changed && !this.#unsaved) return;
    this.#steps[index] = next;
    this.#save();
  }

  /** Marks a step whose artifact could not even be created (its container refused it). */
  refuse(index: number): void {
    const entry = this.#entry(index);
    if (entry.status !== 'queued' || !this.#unsaved) return;
    this.#steps[index] = { ...entry, status: 'failed', finishedAt: new Date().toISOString() };
    this.#save();
  }

  #entry(index: number): StepInfo {
    const entry = this.#steps[index];
    if (!entry) throw new RangeError(`no step at ${index}`);
    return entry;
  }

  #save(): void {
    this.#unsaved = false;
    this.#persist(this.#steps);
  }
}
