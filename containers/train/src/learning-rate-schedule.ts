/** How the learning rate moves from `learningRate` to `finalLearningRate` over a run. */
export const LearningRateSchedule = {
  /** Exponential decay, epoch by epoch (the rate is constant within an epoch). */
  Exponential: 'exponential',
  /** Half a cosine, step by step: slow at first, fastest in the middle, gentle at the end. */
  Cosine: 'cosine',
} as const;
export type LearningRateSchedule = (typeof LearningRateSchedule)[keyof typeof LearningRateSchedule];

/** What {@link learningRateAt} needs. */
export interface LearningRateOptions {
  schedule: LearningRateSchedule;
  /** The peak rate: the first epoch's, or the one reached at the end of the warm-up. */
  first: number;
  /** The rate of the last step (cosine) or the last epoch (exponential). */
  last: number;
  epochs: number;
  /**
   * Epochs of linear warm-up from `first / 10` to `first` before the schedule starts.
   * @defaultValue 0
   */
  warmupEpochs?: number;
}

/**
 * The learning rate at a point of the run.
 *
 * @param epoch - 0-based epoch.
 * @param fraction - how far into that epoch, in [0, 1) (only cosine and warm-up use it).
 */
export function learningRateAt(options: LearningRateOptions, epoch: number, fraction = 0): number {
  const { first, last, epochs } = options;
  const warmup = Math.min(options.warmupEpochs ?? 0, epochs);
  const at = epoch + fraction;
  if (at < warmup) return first * (0.1 + (0.9 * at) / warmup);
  if (options.schedule === LearningRateSchedule.Exponential) {
    const span = epochs - 1 - Math.ceil(warmup);
    const done = epoch - Math.ceil(warmup);
    return span <= 0 ? first : first * Math.pow(last / first, Math.max(0, done) / span);
  }
  const span = epochs - warmup;
  const progress = span <= 0 ? 1 : Math.min(1, (at - warmup) / span);
  return last + 0.5 * (first - last) * (1 + Math.cos(Math.PI * progress));
}
