import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Bytes and sha256 of what was written. */
export interface WrittenFile {
  size: number;
  sha256: string;
}

/**
 * Streams `source` into the file `target`, hashing on the way; `onBytes` hears each chunk's size.
 * Nothing is held in memory beyond the stream's buffers.
 */
export async function writeHashed(
  source: Readable,
  target: string,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<WrittenFile> {
  const hash = createHash('sha256');
  const size = await appendHashed(source, target, hash, onBytes, signal, 'w');
  return { size, sha256: hash.digest('hex') };
}

/**
 * Streams `source` onto the end of `target` (or over it, with flags `w`), feeding `hash`, and
 * resolves with the bytes written. When the source fails midway, what arrived before the failure
 * is on disk and in `hash`, so a download can go on from there.
 */
export async function appendHashed(
  source: Readable,
  target: string,
  hash: Hash,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
  flags: 'a' | 'w' = 'a',
): Promise<number> {
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
  await pipeline(
    source,
    tap,
    createWriteStream(target, { flags }),
    ...(signal ? [{ signal }] : []),
  );
  return size;
}
