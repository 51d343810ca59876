import { ErrorCode, KilnError } from '@kiln/api';
import type { Request, Response } from 'express';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import mime from 'mime-types';
import parseRange from 'range-parser';

/** Big reads: fewer syscalls and chunks on large downloads, with bounded memory. */
const READ_CHUNK_BYTES = 4 << 20;

export interface SendFileOptions {
  /** A strong validator when known (the file's sha256); else one from size and mtime. */
  etag?: string;
  /** Suggest a download name. */
  downloadName?: string;
}

/** The request headers {@link sendFile} honours, as documented in OpenAPI. */
export const FILE_REQUEST_HEADERS = [
  { name: 'Range', description: 'one range of bytes (`bytes=0-99`)', schema: { type: 'string' } },
  {
    name: 'If-Range',
    description: 'the ETag the range applies to; another ETag gets the whole file',
    schema: { type: 'string' },
  },
  {
    name: 'If-None-Match',
    description: 'an ETag the client has; 304 when it still matches',
    schema: { type: 'string' },
  },
];

/** The headers {@link sendFile} sets on a 200 or 206, as documented in OpenAPI. */
export const FILE_RESPONSE_HEADERS = {
  ETag: "the file's sha256, quoted (a strong validator)",
  'Accept-Ranges': '`bytes`',
  'Content-Disposition': 'the file name, where one is suggested',
};

/**
 * Streams a file with `Content-Type` from its extension, `ETag` and `If-None-Match`, and single
 * `Range` requests (206/416). Memory stays at one read chunk whatever the file's size.
 */
export async function sendFile(
  req: Request,
  res: Response,
  path: string,
  options: SendFileOptions = {},
): Promise<void> {
  const info = await stat(path);
  const etag = options.etag
    ? `"${options.etag}"`
    : `W/"${info.size.toString(16)}-${info.mtimeMs.toString(16)}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Last-Modified', info.mtime.toUTCString());
  res.setHeader('Content-Type', mime.contentType(basename(path)) || 'application/octet-stream');
  if (options.downloadName) res.attachment(options.downloadName);
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  let start = 0;
  let end = info.size - 1;
  const rangeHeader = req.headers.range;
  if (rangeHeader && (!req.headers['if-range'] || req.headers['if-range'] === etag)) {
    const ranges = parseRange(info.size, rangeHeader, { combine: true });
    if (ranges === -1) {
      // Every error is a problem document (docs/api.md), this one with the size it missed.
      res.setHeader('Content-Range', `bytes */${info.size}`);
      throw new KilnError(
        ErrorCode.RangeNotSatisfiable,
        `the range '${rangeHeader}' is outside the file's ${info.size} bytes`,
        { status: 416 },
      );
    }
    // A single range is served as 206; several (rare) fall back to the whole file.
    if (ranges !== -2 && ranges.length === 1 && ranges[0]) {
      start = ranges[0].start;
      end = ranges[0].end;
      res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${info.size}`);
    }
  }
  const length = info.size === 0 ? 0 : end - start + 1;
  res.setHeader('Content-Length', length);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  await streamFile(path, start, end, res);
}

/** Resolves once `chunk` was handed to the kernel (so its buffer may be reused). */
function writeChunk(res: Response, chunk: Buffer): Promise<void> {
  return new Promise((done, fail) => res.write(chunk, (error) => (error ? fail(error) : done())));
}

/**
 * Sends bytes `start..end` of a file through two reused buffers: one is read while the other is
 * written, and a buffer is read into again only once its last write reached the kernel. Memory
 * stays at two chunks and large downloads cause no garbage-collector churn.
 */
async function streamFile(path: string, start: number, end: number, res: Response): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffers = [
      Buffer.allocUnsafeSlow(READ_CHUNK_BYTES),
      Buffer.allocUnsafeSlow(READ_CHUNK_BYTES),
    ];
    let writing: Promise<void> = Promise.resolve();
    for (let position = start, turn = 0; position <= end && !res.destroyed; turn += 1) {
      const buffer = buffers[turn % 2]!;
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(READ_CHUNK_BYTES, end - position + 1),
        position,
      );
      if (bytesRead === 0) break;
      await writing;
      writing = writeChunk(res, buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    await writing;
  } finally {
    await handle.close();
  }
  if (!res.destroyed) res.end();
}
