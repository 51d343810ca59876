import type { InputArtifactRef } from '@kiln/api';
import type { Topology } from '@kiln/topology';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Downloads each referenced artifact's data with `@kiln/client` into `inputs/<parameter>/`
 * (reaching its container through the topology), checked against the artifact's digest as it
 * arrives and then against the digest recorded when the artifact was created. Returns
 * parameter → folder.
 */
export async function fetchInputs(
  refs: readonly InputArtifactRef[],
  inputsDir: string,
  topology: Topology,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  if (refs.length === 0) return folders;
  // Loaded only by builds that have references: the mule stays small otherwise.
  const { Kiln } = await import('@kiln/client');
  await rm(inputsDir, { recursive: true, force: true });
  await mkdir(inputsDir, { recursive: true });
  for (const ref of refs) {
    const folder = join(inputsDir, ref.parameter);
    log(`fetching input '${ref.parameter}' from ${ref.url}`);
    const { client, name } = Kiln.artifactAt(ref.url, { topology });
    // No timeout of its own: a large input takes as long as it takes; a cancel stops it.
    const result = await client.download(name, folder, { folder: true, signal, timeout: 0 });
    if (ref.digest && result.digest !== ref.digest) {
      throw new Error(
        `input '${ref.parameter}' changed since it was referenced (digest ${result.digest}, expected ${ref.digest})`,
      );
    }
    folders[ref.parameter] = folder;
  }
  return folders;
}
