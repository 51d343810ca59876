import { isValidName } from '@kiln/api';
import { createHash } from 'node:crypto';

/** The longest Kiln name (docs/api.md, Conventions). */
const MAX_NAME_LENGTH = 128;
const HASH_LENGTH = 12;

/**
 * The name of a step's artifact on its container: `<run>-<step>`, so the same run never starts
 * the same step twice and a resumed run finds its earlier steps. A name that would pass the
 * 128-character limit is cut and ends with a hash of the full name, so it stays unique.
 *
 * @example
 * ```ts
 * stepArtifactName('run-42', 'train'); // 'run-42-train'
 * ```
 */
export function stepArtifactName(run: string, step: string): string {
  if (!isValidName(run)) throw new TypeError(`'${run}' is not a valid run name`);
  if (!isValidName(step)) throw new TypeError(`'${step}' is not a valid step name`);
  const full = `${run}-${step}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  return `${full.slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)}-${hash}`;
}
