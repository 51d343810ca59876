import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { countClasses, seededRandom, writeTensorFile, type DatasetSet } from '@kiln/fashion-mnist';
import { randomTransform, transformImage } from './augment.js';
import type { ProcessParameters } from './process-parameters.js';

/** What {@link writeAugmentedSet} needs. */
export interface AugmentSetOptions {
  set: DatasetSet;
  pixels: Uint8Array;
  labels: Uint8Array;
  augmentation: ProcessParameters['augmentation'];
  seed: number;
  outputDir: string;
  /** Prefix of the files written (`train`). */
  name: string;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * Writes a set followed by `copies` augmented copies of every image (flip, shift), with labels
 * and an `origins` file mapping each row to its original. Writes in blocks, so memory stays at
 * the source plus one block.
 */
export async function writeAugmentedSet(options: AugmentSetOptions): Promise<DatasetSet> {
  const { set, pixels, labels, augmentation, outputDir, name } = options;
  const [count = 0, rows = 0, cols = 0] = set.images.shape;
  const size = rows * cols;
  const total = count * (1 + augmentation.copies);
  const random = seededRandom(options.seed);
  const imagesFile = `${name}-images.u8`;
  const handle = await open(join(outputDir, imagesFile), 'w');
  try {
    await handle.write(pixels);
    const block = new Uint8Array(Math.min(count, 1024) * size);
    for (let copy = 0; copy < augmentation.copies; copy++) {
      for (let start = 0; start < count; start += 1024) {
        options.signal.throwIfAborted();
        const end = Math.min(count, start + 1024);
        for (let i = start; i < end; i++) {
          const transform = randomTransform(random, augmentation.flip, augmentation.maxShift);
          const dst = block.subarray((i - start) * size, (i - start + 1) * size);
          transformImage(pixels.subarray(i * size, (i + 1) * size), dst, rows, cols, transform);
        }
        await handle.write(block.subarray(0, (end - start) * size));
        options.onProgress?.((copy * count + end) / (augmentation.copies * count));
      }
    }
  } finally {
    await handle.close();
  }
  const allLabels = new Uint8Array(total);
  const origins = new Uint32Array(total);
  for (let copy = 0; copy <= augmentation.copies; copy++) {
    allLabels.set(labels, copy * count);
    for (let i = 0; i < count; i++) origins[copy * count + i] = i;
  }
  await writeTensorFile(join(outputDir, `${name}-labels.u8`), allLabels);
  await writeTensorFile(join(outputDir, `${name}-origins.u32`), origins);
  return {
    count: total,
    images: { ...set.images, file: imagesFile, shape: [total, rows, cols] },
    labels: { file: `${name}-labels.u8`, dtype: 'uint8', shape: [total] },
    origins: { file: `${name}-origins.u32`, dtype: 'uint32', shape: [total] },
    classCounts: countClasses(allLabels, set.classCounts.length),
  };
}
