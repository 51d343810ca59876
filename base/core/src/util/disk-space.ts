import { statfs } from 'node:fs/promises';

/** Below this much free space on a data folder's disk, a container takes no work. */
const MIN_FREE_BYTES = 64 * 1024 ** 2;

/**
 * Whether the disk holding `folder` is too full for a container to take work (a build's output,
 * a kept prediction): what `/health` answers 503 for.
 */
export async function isDiskFull(folder: string): Promise<boolean> {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize < MIN_FREE_BYTES;
}
