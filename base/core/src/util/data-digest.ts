import type { DataFileEntry } from '@kiln/api';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** How much of a file is hashed per read. */
const HASH_CHUNK_BYTES = 1 << 20;

/**
 * sha256 of one file, read through one reused buffer. A read stream allocates a fresh buffer
 * per chunk, and V8 frees them late: hashing a 1 GiB artifact that way left the mule 36 MiB
 * larger; with one buffer it stays as it was.
 */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** {@link hashFile} with synchronous reads, for the mule (see {@link describeFiles}). */
function hashFileSync(path: string, buffer: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every regular file below `root`, with `/`-separated relative paths, sorted by byte order. */
export async function listFiles(
  root: string,
): Promise<{ path: string; absolute: string; size: number }[]> {
  const found: { path: string; absolute: string; size: number }[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const absolute = join(folder, entry.name);
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(absolute, relative);
      else if (entry.isFile())
        found.push({ path: relative, absolute, size: (await stat(absolute)).size });
    }
  };
  await walk(root, '');
  return found.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/**
 * Every regular file below `root`, like {@link listFiles} but with synchronous calls: for the
 * mule, which builds one artifact at a time and serves nothing else, so a thread-pool round trip
 * per folder would only add latency.
 */
function listFilesSync(root: string): { path: string; absolute: string; size: number }[] {
  const found: { path: string; absolute: string; size: number }[] = [];
  const walk = (folder: string, prefix: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const absolute = join(folder, entry.name);
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(absolute, relative);
      else if (entry.isFile())
        found.push({ path: relative, absolute, size: statSync(absolute).size });
    }
  };
  walk(root, '');
  return found.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/**
 * The files of an artifact's data with their sizes and sha256. `sync` lists and hashes with
 * synchronous calls: for the mule, which does one thing at a time.
 */
export async function describeFiles(
  root: string,
  options: { sync?: boolean } = {},
): Promise<DataFileEntry[]> {
  if (options.sync) {
    const files = listFilesSync(root);
    // Only builds with files pay for the buffer (a no-op build makes none).
    const buffer = files.length > 0 ? Buffer.allocUnsafe(HASH_CHUNK_BYTES) : Buffer.alloc(0);
    return files.map((file) => ({
      path: file.path,
      size: file.size,
      sha256: hashFileSync(file.absolute, buffer),
    }));
  }
  const entries: DataFileEntry[] = [];
  for (const file of await listFiles(root))
    entries.push({ path: file.path, size: file.size, sha256: await hashFile(file.absolute) });
  return entries;
}

/**
 * The artifact digest of docs/api.md: sha256 over the lines `path NUL sha256(file) LF`, paths sorted
 * by byte order.
 */
export function digestOf(files: readonly DataFileEntry[]): string {
  const hash = createHash('sha256');
  const sorted = [...files].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
  for (const file of sorted) hash.update(`${file.path}\0${file.sha256 ?? ''}\n`);
  return hash.digest('hex');
}
