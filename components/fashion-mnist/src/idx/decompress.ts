import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { datasetError } from '../util/dataset-error.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Yields the bytes of `source`, gunzipped when they start with the gzip magic number (whatever
 * the file is called). A corrupt or truncated gzip stream becomes a 422-like error naming `label`.
 */
export async function* decompressed(
  source: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    let head = Buffer.alloc(0);
    while (head.length < GZIP_MAGIC.length) {
      const next = await iterator.next();
      if (next.done) break;
      head = Buffer.concat([head, Buffer.from(next.value)]);
    }
    const rest = (async function* () {
      if (head.length > 0) yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        yield Buffer.from(next.value);
      }
    })();
    if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
      yield* rest;
      return;
    }
    yield* gunzipped(rest, label);
  } finally {
    // Closes the source (a file descriptor, a socket) when the reader stops early on an error.
    await iterator.return?.();
  }
}

async function* gunzipped(
  compressed: AsyncIterable<Buffer>,
  label: string,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const feeding = pipeline(Readable.from(compressed), gunzip);
  // The iteration below reports the same error; this only keeps the rejection handled.
  feeding.catch(() => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
    await feeding;
  } catch (error) {
    throw describeGzipError(error, label);
  } finally {
    gunzip.destroy();
  }
}

function describeGzipError(error: unknown, label: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return error;
  const reason = (error as Error).message;
  return datasetError(`${label}: corrupt or truncated gzip archive (${reason})`, error);
}
