import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';

/** Writes a file through a temporary sibling and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** The synchronous form, for the mule's report writes. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}
