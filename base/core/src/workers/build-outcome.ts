import type { DataFileEntry } from '@kiln/api';
import type { BuildFailure } from '../mule/protocol.js';

/** How one build ended, as the server sees it. */
export type BuildOutcome =
  | { kind: 'completed'; files: DataFileEntry[]; digest: string }
  | { kind: 'failed'; error: BuildFailure }
  | { kind: 'aborted' }
  | { kind: 'crashed'; error: BuildFailure };

/** Live notifications from a running build. */
export interface BuildListener {
  progress(fraction: number, message: string | null): void;
  log(): void;
  metric(): void;
}
