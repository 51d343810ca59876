import type { InputArtifactRef } from '@kiln/api';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describeFiles, digestOf } from '../util/data-digest.js';

/**
 * Fetches each referenced artifact's data as a zip and unpacks it into `inputs/<parameter>/`,
 * then checks the unpacked files against the digest recorded at create time. Returns
 * parameter → folder.
 */
export async function fetchInputs(
  refs: readonly InputArtifactRef[],
  inputsDir: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  if (refs.length === 0) return folders;
  // Loaded only by builds that have references: the mule stays small otherwise.
  const [{ got }, { unzipFile }] = await Promise.all([import('got'), import('../util/unzip.js')]);
  await rm(inputsDir, { recursive: true, force: true });
  await mkdir(inputsDir, { recursive: true });
  for (const ref of refs) {
    const folder = join(inputsDir, ref.parameter);
    const zipPath = join(inputsDir, `${ref.parameter}.zip`);
    const source = new URL('data?format=zip', ref.url.endsWith('/') ? ref.url : `${ref.url}/`);
    log(`fetching input '${ref.parameter}' from ${ref.url}`);
    await pipeline(got.stream(source, { signal, retry: { limit: 3 } }), createWriteStream(zipPath));
    await unzipFile(zipPath, folder);
    await rm(zipPath, { force: true });
    if (ref.digest) {
      const digest = digestOf(await describeFiles(folder));
      if (digest !== ref.digest) {
        throw new Error(
          `input '${ref.parameter}' changed since it was referenced (digest ${digest}, expected ${ref.digest})`,
        );
      }
    }
    folders[ref.parameter] = folder;
  }
  return folders;
}
