import {
  ArtifactStatus,
  ErrorCode,
  KilnError,
  type InputArtifactRef,
  type InputFileEntry,
} from '@kiln/api';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactIndex } from './artifact-index.js';
import { CallbackState, toSummary, type IndexedArtifact, type RowPayload } from './artifact-row.js';
import { copyTree, linkTree } from './file-tree.js';
import type { MirrorFileWriter } from './mirror-file-writer.js';
import type { ArtifactPaths } from './store-layout.js';

/** An uploaded file waiting in `uploads/` to be moved into its artifact. */
export interface StagedInputFile extends InputFileEntry {
  tempPath: string;
}

/** A checked create request, ready to be stored. */
export interface NewArtifact {
  name: string;
  parameters: Record<string, unknown>;
  inputFiles: StagedInputFile[];
  inputs: InputArtifactRef[];
  cacheKey: string | null;
  callback: string | null;
}

/** What creating an artifact works with: the index, the mirrors and the folder layout. */
export interface CreationContext {
  index: ArtifactIndex;
  mirrors: MirrorFileWriter;
  paths(name: string): ArtifactPaths;
}

type RowState = Pick<
  IndexedArtifact,
  | 'status'
  | 'startedAt'
  | 'finishedAt'
  | 'progress'
  | 'message'
  | 'cached'
  | 'cachedFrom'
  | 'digest'
>;

/**
 * Creates the queued row, then what the build needs on disk. The row's unique name is the lock
 * that makes a taken name a 409 even between concurrent requests. A create without input files
 * touches no file at all: the mule makes the folder when it builds.
 */
export async function createQueued(
  ctx: CreationContext,
  artifact: NewArtifact,
): Promise<IndexedArtifact> {
  const row = newRow(artifact, {
    status: ArtifactStatus.Queued,
    startedAt: null,
    finishedAt: null,
    progress: 0,
    message: null,
    cached: false,
    cachedFrom: null,
    digest: null,
  });
  const inputFiles = inputFileEntries(artifact);
  const hasFiles = inputFiles.length > 0;
  await claimName(ctx, row, { parameters: artifact.parameters, inputFiles, ready: !hasFiles });
  if (hasFiles) {
    await undoOnFailure(ctx, artifact.name, async () => {
      await moveInputFiles(ctx, artifact);
      await ctx.index.markReady(artifact.name);
    });
  }
  mirrorInputs(ctx, artifact, inputFiles);
  ctx.mirrors.writeJson(artifact.name, ctx.paths(artifact.name).status, toSummary(row));
  return row;
}

/**
 * Creates an artifact completed at once from a cached one: its data files are hard-linked
 * (copied across file systems), its metrics copied.
 */
export async function createCached(
  ctx: CreationContext,
  artifact: NewArtifact,
  source: IndexedArtifact,
): Promise<IndexedArtifact> {
  const now = new Date().toISOString();
  const completed = {
    status: ArtifactStatus.Completed,
    startedAt: now,
    finishedAt: now,
    progress: 1,
    message: `cached from '${source.name}'`,
    cached: true,
    cachedFrom: source.name,
    digest: source.digest,
  };
  const row = newRow(artifact, completed);
  const inputFiles = inputFileEntries(artifact);
  const files = await ctx.index.files(source.name);
  // Claimed as a queued row that is not ready, so nothing serves or builds it half made.
  await claimName(
    ctx,
    { ...row, status: ArtifactStatus.Queued },
    { parameters: artifact.parameters, inputFiles, files, ready: false },
  );
  const paths = ctx.paths(artifact.name);
  const from = ctx.paths(source.name);
  await undoOnFailure(ctx, artifact.name, async () => {
    await moveInputFiles(ctx, artifact);
    await linkTree(from.data, paths.data, files);
    await copyTree(from.metrics, paths.metrics);
    await writeFile(paths.log, `reused the data of '${source.name}' (cache hit)\n`);
  });
  await ctx.index.update(artifact.name, completed);
  await ctx.index.markReady(artifact.name);
  mirrorInputs(ctx, artifact, inputFiles);
  ctx.mirrors.writeJson(artifact.name, paths.status, toSummary(row));
  return row;
}

function newRow(artifact: NewArtifact, state: RowState): IndexedArtifact {
  return {
    name: artifact.name,
    createdAt: new Date().toISOString(),
    error: null,
    attempt: 1,
    cacheKey: artifact.cacheKey,
    callback: artifact.callback,
    callbackState: artifact.callback ? CallbackState.Pending : null,
    inputs: artifact.inputs,
    gpu: null,
    ...state,
  };
}

async function claimName(
  ctx: CreationContext,
  row: IndexedArtifact,
  payload: RowPayload,
): Promise<void> {
  if (!(await ctx.index.insert(row, payload))) {
    throw new KilnError(
      ErrorCode.ArtifactExists,
      `an artifact named '${row.name}' already exists`,
      {
        status: 409,
      },
    );
  }
}

/** Runs the disk part of a create; if it fails, the claimed row and its folder go. */
async function undoOnFailure(
  ctx: CreationContext,
  name: string,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    await ctx.index.remove(name);
    ctx.mirrors.settled(name);
    await rm(ctx.paths(name).root, { recursive: true, force: true });
    throw error;
  }
}

async function moveInputFiles(ctx: CreationContext, artifact: NewArtifact): Promise<void> {
  if (artifact.inputFiles.length === 0) return;
  const paths = ctx.paths(artifact.name);
  await mkdir(paths.inputFiles, { recursive: true });
  await Promise.all(
    artifact.inputFiles.map((file) => rename(file.tempPath, join(paths.inputFiles, file.name))),
  );
}

/** Queues the plain-file mirrors of the parameters and input files (the index holds both). */
function mirrorInputs(
  ctx: CreationContext,
  artifact: NewArtifact,
  inputFiles: InputFileEntry[],
): void {
  const paths = ctx.paths(artifact.name);
  ctx.mirrors.writeJson(artifact.name, paths.parameters, artifact.parameters);
  if (inputFiles.length > 0)
    ctx.mirrors.writeJson(artifact.name, paths.inputFilesIndex, inputFiles);
}

function inputFileEntries(artifact: NewArtifact): InputFileEntry[] {
  return artifact.inputFiles.map(({ name, filename, size, sha256 }) => ({
    name,
    filename,
    size,
    sha256,
  }));
}
