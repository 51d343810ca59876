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
  /** Indexes of the steps whose artifact has answered at least once. */
  readonly #seen = new Set<number>();
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
  add(step: string, container: string, artifact: string, url: string, variant?: string): number {
    this.#steps.push({
      step,
      container,
      artifact,
      url,
      status: 'queued',
      cached: false,
      startedAt: null,
      finishedAt: null,
      ...(variant === undefined ? {} : { variant }),
    });
    this.#unsaved = true;
    return this.#steps.length - 1;
  }

  /** Records the step's latest summary; writes only when something shown changed. */
  update(index: number, summary: ArtifactSummary): void {
    const entry = this.#entry(index);
    this.#seen.add(index);
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

  /**
   * Ends a step whose artifact never answered: its container refused it (`failed`), or the run
   * was cancelled before it was made (`cancelled`). A step seen on its container keeps the state
   * its container gave (`GET /runs/{name}/steps` asks the container while the run is running).
   */
  abandon(index: number, status: 'failed' | 'cancelled'): void {
    const entry = this.#entry(index);
    if (this.#seen.has(index) || entry.status !== 'queued') return;
    this.#steps[index] = { ...entry, status, finishedAt: new Date().toISOString() };
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
