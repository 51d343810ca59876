import type { ArtifactRecord } from '@kiln/api';
import { mkdtemp, rename, rm, stat, readdir, mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ClientErrorCode, KilnApiError } from '../errors/kiln-api-error.js';
import type { HttpClient } from '../http/http-client.js';
import type { CallOptions } from '../kiln-options.js';
import { artifactDigest, type HashedFile } from './artifact-digest.js';
import { writeHashed } from './hashing-writer.js';
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
 * folder), several files as a zip unpacked into the folder `dest`. Everything lands in a staging
 * place beside `dest` first and is moved into place only once the data hashes to the record's
 * digest; a mismatch is a `DIGEST_MISMATCH` error and leaves nothing behind.
 */
export async function downloadArtifact(http: HttpClient, base: string, record: ArtifactRecord, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const single = record.files.length === 1 ? record.files[0] : undefined;
  const target = resolve(single && (await isFolder(dest)) ? join(dest, basename(single.path)) : dest);
  // Staging sits on the destination's file system, so moving it into place is a rename.
  const stagingParent = (await isFolder(target)) ? target : dirname(target);
  await mkdir(stagingParent, { recursive: true });
  const staging = await mkdtemp(join(stagingParent, '.kiln-download-'));
  try {
    const stream = await http.stream(`${base}/data`, { query: single ? {} : { format: 'zip' }, call: options });
    const total = Number(stream.headers['content-length']) || undefined;
    const progress = counter(DownloadPhase.Download, total, options.onProgress);
    const fetched = join(staging, single ? 'data' : 'data.zip');
    const written = await writeHashed(stream.body, fetched, progress, stream.signal.signal);
    let files: HashedFile[];
    if (single) {
      files = [{ path: single.path, ...written }];
    } else {
      const unpackTotal = record.files.reduce((sum, file) => sum + file.size, 0);
      files = await unzipFile(fetched, join(staging, 'out'), counter(DownloadPhase.Unpack, unpackTotal, options.onProgress), options.signal);
      await mkdir(join(staging, 'out'), { recursive: true });
    }
    const digest = artifactDigest(files);
    if (record.digest !== null && digest !== record.digest) {
      throw KilnApiError.client(ClientErrorCode.DigestMismatch, 'Digest mismatch', `artifact '${record.name}': downloaded data hashes to ${digest}, the artifact's digest is ${record.digest}`, 502);
    }
    await moveIntoPlace(single ? fetched : join(staging, 'out'), target, single === undefined);
    return { path: target, kind: single ? 'file' : 'folder', files, digest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function counter(phase: DownloadPhase, total: number | undefined, onProgress: DownloadOptions['onProgress']): (bytes: number) => void {
  let transferred = 0;
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
      throw KilnApiError.client(ClientErrorCode.LocalFile, 'Destination unusable', `${target} exists and is not a folder`, 400);
    }
    await rename(source, target);
    return;
  }
  for (const entry of await readdir(source)) {
    await rm(join(target, entry), { recursive: true, force: true });
    await rename(join(source, entry), join(target, entry));
  }
}
