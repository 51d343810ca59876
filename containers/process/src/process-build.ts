import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '@kiln/core';
import {
  DATASET_FORMAT,
  datasetError,
  readDatasetManifest,
  readTensorFile,
  requireSet,
  sameAffine,
  IDENTITY_AFFINE,
  writeDatasetManifest,
  type DatasetManifest,
  type DatasetSet,
} from '@kiln/fashion-mnist';
import { writeAugmentedSet } from './augment-set.js';
import { normalizationFor } from './normalization.js';
import type { ProcessParameters } from './process-parameters.js';

async function copySet(inputDir: string, outputDir: string, set: DatasetSet): Promise<DatasetSet> {
  const files = [set.images, set.labels, set.oneHot, set.origins].filter((f) => f !== undefined);
  for (const file of files) await copyFile(join(inputDir, file.file), join(outputDir, file.file));
  return set;
}

function checkRawPixels(manifest: DatasetManifest): void {
  for (const [name, set] of Object.entries(manifest.sets)) {
    if (set.images.dtype !== 'uint8' || !sameAffine(set.images.encoding, IDENTITY_AFFINE)) {
      throw datasetError(
        `dataset: set '${name}' holds ${set.images.dtype} values, not raw uint8 pixels; process takes an import artifact`,
      );
    }
  }
}

/**
 * Builds a process artifact: the same sets as the input, the training set optionally followed
 * by augmented copies, and the chosen normalisation recorded in the manifest. Pixels stay exact
 * uint8: every normalisation is an affine map, applied by export (float32) or by the trainer.
 */
export async function buildProcess(ctx: BuildContext<ProcessParameters>): Promise<void> {
  const { augmentation, seed, normalization: method } = ctx.parameters;
  const inputDir = ctx.inputs['dataset'] as string;
  const input = await readDatasetManifest(inputDir, 'dataset');
  checkRawPixels(input);
  const train = requireSet(input, 'train', 'dataset');
  // The training pixels are needed for the standard statistics and for augmentation only.
  const needPixels = method === 'standard' || augmentation.copies > 0;
  const trainPixels = needPixels
    ? await readTensorFile(inputDir, { ...train.images, dtype: 'uint8' })
    : new Uint8Array(0);
  const normalization = normalizationFor(method, trainPixels);
  ctx.log(
    `normalization ${method}: input = pixel * ${normalization.scale.toPrecision(6)} + ${normalization.offset.toPrecision(6)}`,
  );
  const sets: Record<string, DatasetSet> = {};
  for (const [name, set] of Object.entries(input.sets)) {
    if (name !== 'train' || augmentation.copies === 0) {
      sets[name] = await copySet(inputDir, ctx.outputDir, set);
      continue;
    }
    if (set.origins) throw datasetError('dataset: the training set is already augmented');
    ctx.log(
      `augmenting: ${augmentation.copies} copies of ${set.count} images (flip ${augmentation.flip}, shift ±${augmentation.maxShift})`,
    );
    sets[name] = await writeAugmentedSet({
      set,
      pixels: trainPixels,
      labels: await readTensorFile(inputDir, { ...set.labels, dtype: 'uint8' }),
      augmentation,
      seed,
      outputDir: ctx.outputDir,
      name,
      signal: ctx.signal,
      onProgress: (fraction) => ctx.progress(0.9 * fraction, 'augmenting'),
    });
    ctx.log(`train: ${sets[name]?.count} images after augmentation`);
  }
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT,
    stage: 'process',
    classes: input.classes,
    imageShape: input.imageShape,
    normalization,
    sets,
    provenance: { input: input.provenance, normalization: method, augmentation, seed },
  };
  await writeDatasetManifest(ctx.outputDir, manifest);
  ctx.progress(1, 'processed');
}
