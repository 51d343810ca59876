import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

/** Writes a file through a temporary sibling and a rename, so readers never see half a file. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}
