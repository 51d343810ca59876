import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import {
  BUNDLED_DATASET_DIR,
  IDX_FILE_NAMES,
  IDX_ROLES,
  datasetError,
  findIdxFiles,
  hasIdxFiles,
  type IdxRole,
} from '@kiln/fashion-mnist';
import type { ImportParameters } from './import-parameters.js';

/** One of the four files, ready to be streamed. */
export interface IdxSource {
  /** Where it comes from, for the log and the manifest (a path, a URL, an upload's file name). */
  location: string;
  open(signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** The four files and the source they were resolved from. */
export interface ResolvedSources {
  /** The concrete source: `bundled`, `system`, `path`, `url` or `upload` (never `auto`). */
  kind: Exclude<ImportParameters['source'], 'auto'>;
  files: Record<IdxRole, IdxSource>;
}

/** What the build knows besides the parameters. */
export interface SourceContext {
  /** The full dataset's folder. */
  systemDir: string;
  /** Input-file name → local path of the uploads. */
  inputFiles: Record<string, string>;
}

function localSource(path: string): IdxSource {
  return { location: path, open: async () => createReadStream(path) };
}

function urlSource(url: string): IdxSource {
  return {
    location: url,
    open: async (signal) => {
      let response: Response;
      try {
        response = await fetch(url, { signal });
      } catch (error) {
        throw datasetError(`${url}: could not be fetched (${(error as Error).message})`, error);
      }
      if (!response.ok || !response.body) {
        throw datasetError(`${url}: HTTP ${response.status} ${response.statusText}`);
      }
      return Readable.fromWeb(
        response.body as import('node:stream/web').ReadableStream<Uint8Array>,
      );
    },
  };
}

function byRole<T>(make: (role: IdxRole) => T): Record<IdxRole, T> {
  return Object.fromEntries(IDX_ROLES.map((role) => [role, make(role)])) as Record<IdxRole, T>;
}

function fromFolder(files: Record<IdxRole, string>): Record<IdxRole, IdxSource> {
  return byRole((role) => localSource(files[role]));
}

function fromMap(
  make: (location: string) => IdxSource,
  files: Record<IdxRole, string>,
): Record<IdxRole, IdxSource> {
  return byRole((role) => make(files[role]));
}

function fromUploads(inputFiles: Record<string, string>): Record<IdxRole, IdxSource> {
  const missing = IDX_ROLES.filter((role) => !inputFiles[role]);
  if (missing.length > 0) {
    throw datasetError(
      `source "upload" needs the input files ${IDX_ROLES.join(', ')}; missing: ${missing.join(', ')}`,
    );
  }
  return byRole((role) => {
    const path = inputFiles[role] as string;
    return { location: `upload:${role}`, open: async () => createReadStream(path) };
  });
}

function withBase(base: string): Record<IdxRole, string> {
  const root = base.endsWith('/') ? base : `${base}/`;
  return byRole((role) => new URL(`${IDX_FILE_NAMES[role]}.gz`, root).href);
}

/**
 * Turns the parameters into the four files to read. `auto` takes the system dataset when its
 * folder holds the four files, else the bundled subset.
 */
export async function resolveSources(
  parameters: ImportParameters,
  context: SourceContext,
): Promise<ResolvedSources> {
  const { source } = parameters;
  if (source === 'auto') {
    const kind = (await hasIdxFiles(context.systemDir)) ? 'system' : 'bundled';
    return resolveSources({ ...parameters, source: kind }, context);
  }
  if (source === 'bundled')
    return { kind: source, files: fromFolder(await findIdxFiles(BUNDLED_DATASET_DIR)) };
  if (source === 'system')
    return { kind: source, files: fromFolder(await findIdxFiles(context.systemDir)) };
  if (source === 'upload') return { kind: source, files: fromUploads(context.inputFiles) };
  const files = parameters.files as Record<IdxRole, string> | undefined;
  if (source === 'path') {
    if (files) return { kind: source, files: fromMap(localSource, files) };
    if (!parameters.path) throw datasetError('source "path" needs "path" (a folder) or "files"');
    return { kind: source, files: fromFolder(await findIdxFiles(parameters.path)) };
  }
  if (files) return { kind: source, files: fromMap(urlSource, files) };
  if (!parameters.url) throw datasetError('source "url" needs "url" (a base URL) or "files"');
  return { kind: source, files: fromMap(urlSource, withBase(parameters.url)) };
}

/** A short name for a location, for the log. */
export function shortLocation(location: string): string {
  return location.startsWith('upload:') || location.includes('://') ? location : basename(location);
}
