import type { ArtifactRecord } from '@kiln/api';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rename, rm, stat, readdir, mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ClientErrorCode, KilnApiError } from '../errors/kiln-api-error.js';
import { toKilnApiError } from '../http/error-mapping.js';
import type { HttpClient } from '../http/http-client.js';
import type { CallOptions } from '../kiln-options.js';
import { artifactDigest, type HashedFile } from './artifact-digest.js';
import { appendHashed, writeHashed, type WrittenFile } from './hashing-writer.js';
import { unzipFile } from './unzip-file.js';

/** Which part of a download is under way. */
export const DownloadPhase = { Download: 'download', Unpack: 'unpack' } as const;
export type DownloadPhase = (typeof DownloadPhase)[keyof typeof DownloadPhase];

/** Progress of a download: bytes so far and, where known, the total. */
export interface DownloadProgress {
  phase: DownloadPhase;
  transferred: number;
  total: number | undefined;
}

/** Options of `download()`. */
export interface DownloadOptions extends CallOptions {
  /** Called as bytes arrive (phase `download`) and as a zip is unpacked (phase `unpack`). */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Always unpack into the folder `dest`, keeping each file's path in the artifact, even when
   * there is only one file (a build reading a referenced artifact's data wants one layout).
   * @defaultValue false: a single file is written to `dest` itself
   */
  folder?: boolean;
}

/** What `download()` wrote. */
export interface DownloadResult {
  /** The file written, or the folder the zip was unpacked into. */
  path: string;
  kind: 'file' | 'folder';
  /** The data files with their sizes and sha256, paths as in the artifact. */
  files: HashedFile[];
  /** The digest, checked against the artifact's. */
  digest: string;
}

/**
 * Downloads a completed artifact's data: a single file to `dest` (or into `dest` when that is a
 * folder), several files (or any number, with `folder`) as a zip unpacked into the folder `dest`. Everything lands in a staging
 * place beside `dest` first and is moved into place only once the data hashes to the record's
 * digest; a mismatch is a `DIGEST_MISMATCH` error and leaves nothing behind.
 */
export async function downloadArtifact(
  http: HttpClient,
  base: string,
  record: ArtifactRecord,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const single = record.files.length === 1 && !options.folder ? record.files[0] : undefined;
  const target = resolve(
    single && (await isFolder(dest)) ? join(dest, basename(single.path)) : dest,
  );
  // Staging sits on the destination's file system, so moving it into place is a rename.
  const stagingParent = (await isFolder(target)) ? target : dirname(target);
  await mkdir(stagingParent, { recursive: true });
  const staging = await mkdtemp(join(stagingParent, '.kiln-download-'));
  try {
    let fetched = await fetchData(
      http,
      base,
      record,
      join(staging, 'first'),
      single === undefined,
      options,
    );
    // A proxy that rewrites JSON bodies (URLs) alters a lone JSON file; a zip passes untouched.
    if (single && !digestMatches(record, fetched.files) && JSON_TYPE.test(fetched.contentType)) {
      fetched = await fetchData(http, base, record, join(staging, 'zipped'), true, options);
    }
    const digest = artifactDigest(fetched.files);
    if (!digestMatches(record, fetched.files)) {
      throw KilnApiError.client(
        ClientErrorCode.DigestMismatch,
        'Digest mismatch',
        `artifact '${record.name}': downloaded data hashes to ${digest}, the artifact's digest is ${record.digest}`,
        502,
      );
    }
    await moveIntoPlace(
      single ? fetched.file(single.path) : fetched.root,
      target,
      single === undefined,
    );
    return { path: target, kind: single ? 'file' : 'folder', files: fetched.files, digest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

const JSON_TYPE = /^application\/(?:json|[\w.+-]+\+json)\s*(?:;|$)/i;

/** Data fetched into a staging folder. */
interface Fetched {
  files: HashedFile[];
  contentType: string;
  /** The folder holding the data files (zip), or undefined for a lone file. */
  root: string;
  /** Where the data file `path` was written. */
  file(path: string): string;
}

/** GETs `/data` (as a zip when `zip`) into `folder`, unpacking a zip, hashing every file. */
async function fetchData(
  http: HttpClient,
  base: string,
  record: ArtifactRecord,
  folder: string,
  zip: boolean,
  options: DownloadOptions,
): Promise<Fetched> {
  await mkdir(folder, { recursive: true });
  if (!zip) {
    const body = join(folder, 'data');
    const { written, contentType } = await fetchResumable(http, `${base}/data`, body, options);
    return {
      files: [{ path: record.files[0]?.path ?? 'data', ...written }],
      contentType,
      root: folder,
      file: () => body,
    };
  }
  const stream = await http.stream(`${base}/data`, { query: { format: 'zip' }, call: options });
  const contentType = String(stream.headers['content-type'] ?? '');
  const progress = counter(
    DownloadPhase.Download,
    Number(stream.headers['content-length']) || undefined,
    options.onProgress,
  );
  const body = join(folder, 'data.zip');
  await writeHashed(stream.body, body, progress, stream.signal.signal);
  const root = join(folder, 'out');
  await mkdir(root, { recursive: true });
  const unpackTotal = record.files.reduce((sum, file) => sum + file.size, 0);
  const files = await unzipFile(
    body,
    root,
    counter(DownloadPhase.Unpack, unpackTotal, options.onProgress),
    options.signal,
  );
  return { files, contentType, root, file: (path) => join(root, path) };
}

/**
 * GETs one file into `target`. When the connection drops midway, the download goes on from the
 * bytes already on disk with `Range` and `If-Range` (the file's ETag), up to the client's retry
 * count; a server that answers 200 instead (the file changed, or no ranges) starts it over.
 */
async function fetchResumable(
  http: HttpClient,
  url: string,
  target: string,
  options: DownloadOptions,
): Promise<{ written: WrittenFile; contentType: string }> {
  let hash = createHash('sha256');
  let offset = 0;
  let etag: string | undefined;
  let total: number | undefined;
  for (let resumes = 0; ; resumes++) {
    const headers =
      offset > 0 && etag ? { range: `bytes=${offset}-`, 'if-range': etag } : undefined;
    const stream = await http.stream(url, { call: options, ...(headers ? { headers } : {}) });
    if (offset > 0 && !continuesAt(stream.headers['content-range'], stream.status, offset)) {
      offset = 0;
      hash = createHash('sha256');
    }
    etag = stream.headers.etag;
    const length = Number(stream.headers['content-length']);
    total = Number.isFinite(length) ? offset + length : undefined;
    const progress = counter(DownloadPhase.Download, total, options.onProgress, offset);
    try {
      const size = await appendHashed(
        stream.body,
        target,
        hash,
        progress,
        stream.signal.signal,
        offset > 0 ? 'a' : 'w',
      );
      return {
        written: { size: offset + size, sha256: hash.digest('hex') },
        contentType: String(stream.headers['content-type'] ?? ''),
      };
    } catch (error) {
      const mapped = toKilnApiError(error, stream.request, stream.signal);
      const dropped =
        mapped instanceof KilnApiError && mapped.code === ClientErrorCode.ConnectionFailed;
      if (!dropped) throw error;
      if (etag === undefined || resumes >= http.options.retries) throw mapped;
      // What reached the disk is the truth: buffered bytes may have been dropped with the stream.
      offset = (await stat(target)).size;
      hash = await hashPrefix(target);
      // Everything arrived before the connection failed: nothing is left to ask for.
      if (offset === total) {
        return {
          written: { size: offset, sha256: hash.digest('hex') },
          contentType: String(stream.headers['content-type'] ?? ''),
        };
      }
    }
  }
}

/** Whether a ranged answer holds the file from byte `offset` on. */
function continuesAt(contentRange: string | undefined, status: number, offset: number): boolean {
  return status === 206 && new RegExp(`^bytes ${offset}-\\d+/\\d+$`).test(contentRange ?? '');
}

/** A running sha256 fed with the whole of `path`, to be continued. */
async function hashPrefix(path: string): Promise<Hash> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash;
}

function digestMatches(record: ArtifactRecord, files: readonly HashedFile[]): boolean {
  return record.digest === null || artifactDigest(files) === record.digest;
}

function counter(
  phase: DownloadPhase,
  total: number | undefined,
  onProgress: DownloadOptions['onProgress'],
  start = 0,
): (bytes: number) => void {
  let transferred = start;
  onProgress?.({ phase, transferred, total });
  return (bytes) => {
    transferred += bytes;
    onProgress?.({ phase, transferred, total });
  };
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** A file replaces `target`; a folder becomes `target`, or merges into it when it exists. */
async function moveIntoPlace(source: string, target: string, folder: boolean): Promise<void> {
  if (!folder || !(await isFolder(target))) {
    if (folder && (await stat(target).catch(() => undefined))) {
      throw KilnApiError.client(
        ClientErrorCode.LocalFile,
        'Destination unusable',
        `${target} exists and is not a folder`,
        400,
      );
    }
    await rename(source, target);
    return;
  }
  for (const entry of await readdir(source)) {
    await rm(join(target, entry), { recursive: true, force: true });
    await rename(join(source, entry), join(target, entry));
  }
}
