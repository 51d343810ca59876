import { createReadStream } from 'node:fs';
import { datasetError } from '../util/dataset-error.js';
import { decompressed } from './decompress.js';
import {
  checkIdxMagic,
  formatShape,
  idxHeaderLength,
  parseIdxHeader,
  type IdxHeader,
} from './idx-header.js';

/** What {@link readIdxStream} does with the file as it streams. */
export interface IdxStreamOptions {
  /** Names the file in error messages (`train-images`). */
  label: string;
  /** Called with the header before any data; throw to refuse the file (a wrong rank, say). */
  onHeader?: (header: IdxHeader) => void;
  /** Receives the data bytes in order; awaited, so a slow sink holds the reader back. */
  onData: (chunk: Buffer) => void | Promise<void>;
  /** Stops reading when aborted. */
  signal?: AbortSignal;
}

/**
 * Streams an IDX file (gzipped or not) from `source`: checks the magic number, decodes the
 * header, hands the data to `onData` and checks that exactly the declared number of bytes
 * follows the header. Memory stays at one chunk whatever the file's size.
 *
 * @returns the header.
 * @throws a 422-like `KilnError` for a wrong magic number, a truncated file, trailing bytes or a
 * corrupt gzip stream.
 */
export async function readIdxStream(
  source: AsyncIterable<Uint8Array>,
  options: IdxStreamOptions,
): Promise<IdxHeader> {
  const { label, signal } = options;
  let pending = Buffer.alloc(0);
  let header: IdxHeader | null = null;
  let received = 0;
  for await (const chunk of decompressed(source, label)) {
    signal?.throwIfAborted();
    let data = chunk;
    if (header === null) {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 4) checkIdxMagic(pending, label);
      const needed = idxHeaderLength(pending);
      if (needed === null || pending.length < needed) continue;
      header = parseIdxHeader(pending, label);
      options.onHeader?.(header);
      data = pending.subarray(header.headerBytes);
    }
    if (received + data.length > header.dataBytes) {
      throw datasetError(
        `${label}: more bytes follow the ${header.dataBytes} bytes of data its header declares (${formatShape(header.shape)} ${header.dataType}); the file is corrupt`,
      );
    }
    received += data.length;
    if (data.length > 0) await options.onData(data);
  }
  if (header === null) {
    if (pending.length === 0) throw datasetError(`${label}: the file is empty`);
    parseIdxHeader(pending, label);
    throw datasetError(`${label}: truncated IDX header (${pending.length} bytes)`);
  }
  if (received < header.dataBytes) {
    throw datasetError(
      `${label}: truncated IDX file: its header declares ${formatShape(header.shape)} ${header.dataType} (${header.dataBytes} bytes of data) but only ${received} bytes follow`,
    );
  }
  return header;
}

/** An IDX file read whole into memory. */
export interface IdxFile {
  header: IdxHeader;
  data: Buffer;
}

/**
 * Reads a whole IDX file (gzipped or not) into memory. Meant for label files and tests; stream
 * images with {@link readIdxStream}.
 */
export async function readIdxFile(path: string, label: string = path): Promise<IdxFile> {
  const chunks: Buffer[] = [];
  const header = await readIdxStream(createReadStream(path), {
    label,
    onData: (chunk) => void chunks.push(chunk),
  });
  return { header, data: Buffer.concat(chunks) };
}
