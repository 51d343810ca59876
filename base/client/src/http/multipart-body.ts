import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { ClientErrorCode, KilnApiError } from '../errors/kiln-api-error.js';

/**
 * An input file for `create()`: a local path, a readable stream, or either with an explicit
 * file name (and, for a stream, its size, which lets the upload carry a `Content-Length`).
 */
export type InputFile =
  | string
  | Readable
  | { path: string; filename?: string }
  | { stream: Readable; filename?: string; size?: number };

/** One part of a multipart body. */
export type MultipartPart =
  | { name: string; value: string }
  | { name: string; filename: string; size: number | undefined; open: () => Readable };

/** A multipart body ready to send: the stream, its headers, its length when known. */
export interface MultipartBody {
  body: Readable;
  contentType: string;
  length: number | undefined;
}

const CRLF = '\r\n';

/** Resolves each {@link InputFile} into a part that opens its stream only when sent. */
export async function fileParts(files: Record<string, InputFile>): Promise<MultipartPart[]> {
  const parts: MultipartPart[] = [];
  for (const [name, file] of Object.entries(files)) {
    if (typeof file === 'string' || 'path' in file) {
      const path = typeof file === 'string' ? file : file.path;
      const size = await fileSize(path, name);
      const filename =
        typeof file === 'string' ? basename(path) : (file.filename ?? basename(path));
      parts.push({ name, filename, size, open: () => createReadStream(path) });
    } else if (file instanceof Readable) {
      parts.push({ name, filename: streamName(file, name), size: undefined, open: () => file });
    } else {
      parts.push({
        name,
        filename: file.filename ?? name,
        size: file.size,
        open: () => file.stream,
      });
    }
  }
  return parts;
}

/**
 * Encodes parts as `multipart/form-data`, streaming each file as it is sent, so memory stays
 * flat whatever the files' sizes. The length is known when every file's size is.
 */
export function encodeMultipart(parts: readonly MultipartPart[]): MultipartBody {
  const boundary = `----kiln-${randomBytes(16).toString('hex')}`;
  const heads = parts.map((part) => Buffer.from(partHead(boundary, part)));
  const tail = Buffer.from(`--${boundary}--${CRLF}`);
  let length: number | undefined = tail.length;
  parts.forEach((part, index) => {
    const size = 'value' in part ? Buffer.byteLength(part.value) : part.size;
    length =
      length === undefined || size === undefined
        ? undefined
        : length + heads[index]!.length + size + CRLF.length;
  });
  async function* generate(): AsyncGenerator<Buffer> {
    for (const [index, part] of parts.entries()) {
      yield heads[index]!;
      if ('value' in part) yield Buffer.from(part.value);
      else
        for await (const chunk of part.open())
          yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      yield Buffer.from(CRLF);
    }
    yield tail;
  }
  return {
    body: Readable.from(generate(), { objectMode: false }),
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
  };
}

function partHead(boundary: string, part: MultipartPart): string {
  const disposition =
    `form-data; name="${escapeQuoted(part.name)}"` +
    ('filename' in part ? `; filename="${escapeQuoted(part.filename)}"` : '');
  const type = 'filename' in part ? `${CRLF}Content-Type: application/octet-stream` : '';
  return `--${boundary}${CRLF}Content-Disposition: ${disposition}${type}${CRLF}${CRLF}`;
}

/** Quotes as the HTML standard's multipart encoder does: `"` and line breaks percent-encoded. */
function escapeQuoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

async function fileSize(path: string, name: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    return info.size;
  } catch (error) {
    throw KilnApiError.client(
      ClientErrorCode.LocalFile,
      'Input file unusable',
      `input file '${name}': cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      400,
      { cause: error },
    );
  }
}

function streamName(stream: Readable, fallback: string): string {
  const path = (stream as Readable & { path?: unknown }).path;
  return typeof path === 'string' ? basename(path) : fallback;
}
