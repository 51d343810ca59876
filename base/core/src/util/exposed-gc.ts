import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'major' | 'minor' }) => void;

let exposed: Collect | null | undefined;

/**
 * V8's `gc()`, exposed at run time since Kiln's processes start without `--expose-gc`. Null where
 * the engine refuses, and callers then leave collection to V8.
 */
function exposedGc(): Collect | null {
  if (exposed !== undefined) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    exposed = runInNewContext('gc') as Collect;
  } catch {
    exposed = null;
  }
  return exposed;
}

/**
 * Full collections for idle moments (see IdleCollector). Two of them: the first frees the dead
 * objects, and only the second gives the pages they emptied back to the system (measured: after
 * a build that left 1.2 GB of garbage, RSS stayed at 1.2 GB after one collection and fell to
 * 100 MB after two).
 */
export function collectAll(): void {
  // Without options: `{ type: 'major' }` collects too but keeps the emptied pages.
  const gc = exposedGc();
  gc?.();
  gc?.();
}

/**
 * A young-generation collection, about a millisecond. Streaming code calls it every few MiB:
 * each socket read is a fresh 64 KiB buffer outside V8's heap, which V8's own heuristics let
 * pile up by tens of MiB before a collection frees them. Collected early, the same few MiB of
 * malloc'd memory are reused while hot; measured on a 512 MiB upload, the server's peak RSS fell
 * from 121 to 85 MiB and throughput rose by about 10%.
 */
export function collectYoung(): void {
  exposedGc()?.({ type: 'minor' });
}
