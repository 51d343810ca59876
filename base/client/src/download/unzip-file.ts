import { mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ClientErrorCode, KilnApiError } from '../errors/kiln-api-error.js';
import type { HashedFile } from './artifact-digest.js';
import { writeHashed } from './hashing-writer.js';

/**
 * Unpacks the zip at `zipPath` into the folder `dest`, one entry at a time and streamed, and
 * returns every file written with its sha256. An entry whose name would land outside `dest`
 * (absolute, `..`, backslashes) is refused with `UNSAFE_ARCHIVE_ENTRY` before anything of it is written.
 */
export async function unzipFile(
  zipPath: string,
  dest: string,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<HashedFile[]> {
  const zip = await openZip(zipPath);
  const root = resolve(dest);
  const files: HashedFile[] = [];
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      signal?.throwIfAborted();
      const target = resolve(root, entry.fileName);
      if (target !== root && !target.startsWith(root + sep)) throw unsafe(entry.fileName);
      if (entry.fileName.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      const written = await writeHashed(await openEntry(zip, entry), target, onBytes, signal);
      files.push({ path: entry.fileName, ...written });
    }
  } finally {
    zip.close();
  }
  return files;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true },
      (error, zip) => {
        if (error) reject(archiveError(error));
        else resolvePromise(zip);
      },
    );
  });
}

/** The next entry, or undefined at the end; yauzl validates each name as it reads it. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolvePromise, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => (cleanup(), resolvePromise(entry));
    const onEnd = (): void => (cleanup(), resolvePromise(undefined));
    const onError = (error: Error): void => (cleanup(), reject(archiveError(error)));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolvePromise, reject) => {
    zip.openReadStream(entry, (error, stream) =>
      error ? reject(archiveError(error)) : resolvePromise(stream),
    );
  });
}

const UNSAFE_NAME = /^(invalid characters in fileName|absolute path|invalid relative path)/;

function archiveError(error: Error): KilnApiError {
  const match = /: (.*)$/.exec(error.message);
  if (UNSAFE_NAME.test(error.message)) return unsafe(match?.[1] ?? error.message, error);
  return KilnApiError.client(
    ClientErrorCode.InvalidResponse,
    'Invalid archive',
    `the downloaded zip is unreadable: ${error.message}`,
    502,
    { cause: error },
  );
}

function unsafe(name: string, cause?: Error): KilnApiError {
  return KilnApiError.client(
    ClientErrorCode.UnsafeArchiveEntry,
    'Unsafe archive entry',
    `refusing zip entry '${name}': it would be written outside the destination folder`,
    502,
    { cause },
  );
}
