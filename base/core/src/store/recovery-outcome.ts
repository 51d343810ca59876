import { ArtifactStatus } from '@kiln/api';
import type { StopRequest } from './build-queue.js';

/** What recovery makes of an abandoned build: the row's new state. */
export interface RecoveryOutcome {
  status: 'queued' | 'failed' | 'cancelled';
  /** The attempt the row holds afterwards (one more when it is queued again). */
  attempt: number;
  /** Set when the build ends here (failed or cancelled). */
  finished: boolean;
  message: string | null;
  error: string | null;
}

/**
 * Decides the fate of a build whose holder is gone, the same for every backend: a build someone
 * asked to stop ends `cancelled`; one whose attempts are spent fails; any other is queued again
 * with the next attempt.
 */
export function recoveryOutcome(
  attempt: number,
  stopRequested: StopRequest | null,
  maxAttempts: number,
): RecoveryOutcome {
  if (stopRequested !== null) {
    return {
      status: ArtifactStatus.Cancelled,
      attempt,
      finished: true,
      message: 'cancelled',
      error: null,
    };
  }
  if (attempt >= maxAttempts) {
    return {
      status: ArtifactStatus.Failed,
      attempt,
      finished: true,
      message: null,
      error: `the build was interrupted by a restart of its container ${attempt} times; giving up`,
    };
  }
  return {
    status: ArtifactStatus.Queued,
    attempt: attempt + 1,
    finished: false,
    message: `interrupted by a restart; attempt ${attempt + 1} queued`,
    error: null,
  };
}
