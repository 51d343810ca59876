import type { Collection } from '../api/paths.js';

/**
 * One artifact (or run) as every view of it names it: its container, the collection it lives
 * in (`artifacts`, or `runs` on a pipeline) and its name. Elements take it as one property.
 */
export interface ArtifactRef {
  readonly container: string;
  readonly collection: Collection;
  readonly artifact: string;
}

/**
 * Lit's `hasChanged` for an {@link ArtifactRef} property: a new object that names the same
 * artifact is no change, so a parent may build the object in its template without making
 * every view below it fetch again.
 */
export function refChanged(
  next: ArtifactRef | undefined,
  previous: ArtifactRef | undefined,
): boolean {
  return (
    next?.container !== previous?.container ||
    next?.collection !== previous?.collection ||
    next?.artifact !== previous?.artifact
  );
}
