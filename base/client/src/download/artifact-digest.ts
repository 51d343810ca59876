import { createHash } from 'node:crypto';

/** A data file with the sha256 of its bytes. */
export interface HashedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * An artifact's digest as docs/api.md defines it: lowercase hex sha256 over the lines
 * `path NUL sha256(file) LF` of its data files, paths relative with `/`, sorted by byte order.
 */
export function artifactDigest(files: Iterable<Pick<HashedFile, 'path' | 'sha256'>>): string {
  const sorted = [...files].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
  const hash = createHash('sha256');
  for (const file of sorted) hash.update(`${file.path}\0${file.sha256}\n`);
  return hash.digest('hex');
}
