import { isFinalStatus, type ArtifactSummary } from '@kiln/api';

/** Progress stays below 1 until the run has written its data. */
const MAX_RUNNING_PROGRESS = 0.99;
/** How many running steps the run's message names before it says "+N more". */
const NAMED_IN_MESSAGE = 3;

interface StepProgress {
  step: string;
  final: boolean;
  progress: number;
  text: string;
}

/** The run's progress as it reports it: a fraction of the whole, and what is happening now. */
export interface ProgressReport {
  fraction: number;
  message: string;
}

/**
 * Turns the progress of the run's steps into the run's own: the share of the expected steps
 * done, each running step counting for its own progress, so steps running at once move it
 * together. The message names the running steps (`train-small: epoch 3 of 12 · train-wide:
 * queued`). The fraction never moves back: a run that takes more steps than expected slows
 * down instead.
 */
export class RunProgress {
  readonly #expected: number;
  /** By ledger index, so the message lists steps in the order they started. */
  readonly #steps = new Map<number, StepProgress>();
  readonly #notes: string[] = [];
  #last = 0;
  #lastMessage = '';

  constructor(expectedSteps: number) {
    this.#expected = Math.max(1, Math.floor(expectedSteps));
  }

  /** Records a step's newest summary and returns the run's progress. */
  update(index: number, step: string, summary: ArtifactSummary): ProgressReport {
    const final = isFinalStatus(summary.status);
    this.#steps.set(index, {
      step,
      final,
      progress: final ? 1 : summary.progress,
      text: summary.message ?? summary.status,
    });
    const total = Math.max(this.#expected, this.#steps.size);
    let done = 0;
    for (const entry of this.#steps.values()) done += entry.progress;
    this.#last = Math.max(this.#last, Math.min(MAX_RUNNING_PROGRESS, done / total));
    this.#lastMessage = this.#message(index);
    return this.#report();
  }

  /**
   * Adds a lasting note to every message from now on (`variant conv failed`), and returns the
   * progress with it, so the run says it at once and keeps saying it.
   */
  note(text: string): ProgressReport {
    this.#notes.push(text);
    return this.#report();
  }

  #report(): ProgressReport {
    const notes = this.#notes.join('; ');
    const message =
      notes && this.#lastMessage ? `${this.#lastMessage} (${notes})` : this.#lastMessage || notes;
    return { fraction: this.#last, message };
  }

  #message(updated: number): string {
    const running = [...this.#steps.entries()]
      .filter(([, entry]) => !entry.final)
      .sort(([a], [b]) => a - b)
      .map(([, entry]) => `${entry.step}: ${entry.text}`);
    if (running.length === 0) {
      const entry = this.#steps.get(updated);
      return entry ? `${entry.step}: ${entry.text}` : '';
    }
    const more = running.length - NAMED_IN_MESSAGE;
    const named = running.slice(0, NAMED_IN_MESSAGE).join(' · ');
    return more > 0 ? `${named} (+${more} more)` : named;
  }
}
