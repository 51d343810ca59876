import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IDENTITY_AFFINE,
  countClasses,
  datasetError,
  formatShape,
  readIdxStream,
  writeTensorFile,
  type DatasetSet,
  type IdxHeader,
} from '@kiln/fashion-mnist';
import type { IdxSource } from './idx-sources.js';

/** What {@link importSet} needs. */
export interface ImportSetOptions {
  /** `train` or `test`: names the set and its files. */
  setName: string;
  images: IdxSource;
  labels: IdxSource;
  /** Keep only the first N images. */
  limit?: number;
  /** Labels must lie in [0, classCount). */
  classCount: number;
  outputDir: string;
  signal: AbortSignal;
  /** Receives the fraction of the images read. */
  onProgress?: (fraction: number) => void;
}

/** One imported set: its manifest entry and the image size and count the source declared. */
export interface ImportedSet {
  set: DatasetSet;
  rows: number;
  cols: number;
  sourceCount: number;
}

async function readLabels(options: ImportSetOptions): Promise<Buffer> {
  const label = `${options.setName}-labels`;
  const parts: Buffer[] = [];
  await readIdxStream(await options.labels.open(options.signal), {
    label,
    signal: options.signal,
    onHeader: (header) => {
      if (header.shape.length !== 1 || header.dataType !== 'uint8') {
        throw datasetError(
          `${label}: expected a label file (idx1-ubyte: one dimension of unsigned bytes), got ${header.dataType} ${formatShape(header.shape)}`,
        );
      }
    },
    onData: (chunk) => void parts.push(chunk),
  });
  const labels = Buffer.concat(parts);
  const bad = labels.findIndex((value) => value >= options.classCount);
  if (bad >= 0) {
    throw datasetError(
      `${label}: label ${labels[bad]} at index ${bad} is outside 0-${options.classCount - 1}`,
    );
  }
  return labels;
}

function checkImagesHeader(header: IdxHeader, labelCount: number, setName: string): void {
  const label = `${setName}-images`;
  if (header.shape.length !== 3 || header.dataType !== 'uint8') {
    throw datasetError(
      `${label}: expected an image file (idx3-ubyte: count x rows x columns of unsigned bytes), got ${header.dataType} ${formatShape(header.shape)}`,
    );
  }
  const count = header.shape[0] ?? 0;
  if (count !== labelCount) {
    throw datasetError(
      `${label} holds ${count} images but ${setName}-labels holds ${labelCount} labels; they must match one to one`,
    );
  }
  if (count === 0) throw datasetError(`${label}: holds no images`);
}

/**
 * Imports one set: reads its labels into memory (checking their range), then streams its images
 * into `<set>-images.u8` (raw bytes, no header), checking the counts agree and that each file is
 * exactly as long as its header says. Only `limit` images are written; all are checked.
 */
export async function importSet(options: ImportSetOptions): Promise<ImportedSet> {
  const { setName, outputDir, signal } = options;
  const labels = await readLabels(options);
  const imagesFile = `${setName}-images.u8`;
  const labelsFile = `${setName}-labels.u8`;
  const handle = await open(join(outputDir, imagesFile), 'w');
  let header: IdxHeader | null = null;
  let keepBytes = 0;
  let seen = 0;
  let written = 0;
  try {
    await readIdxStream(await options.images.open(signal), {
      label: `${setName}-images`,
      signal,
      onHeader: (h) => {
        checkImagesHeader(h, labels.length, setName);
        header = h;
        const keep = Math.min(options.limit ?? labels.length, labels.length);
        keepBytes = keep * (h.shape[1] ?? 0) * (h.shape[2] ?? 0);
      },
      onData: async (chunk) => {
        seen += chunk.length;
        options.onProgress?.(seen / (header?.dataBytes || 1));
        if (written >= keepBytes) return;
        const part = chunk.subarray(0, keepBytes - written);
        await handle.write(part);
        written += part.length;
      },
    });
  } finally {
    await handle.close();
  }
  const h = header as unknown as IdxHeader;
  const [sourceCount = 0, rows = 0, cols = 0] = h.shape;
  const count = Math.min(options.limit ?? sourceCount, sourceCount);
  const kept = labels.subarray(0, count);
  await writeTensorFile(join(outputDir, labelsFile), kept);
  const set: DatasetSet = {
    count,
    images: {
      file: imagesFile,
      dtype: 'uint8',
      shape: [count, rows, cols],
      encoding: IDENTITY_AFFINE,
    },
    labels: { file: labelsFile, dtype: 'uint8', shape: [count] },
    classCounts: countClasses(kept, options.classCount),
  };
  return { set, rows, cols, sourceCount };
}
