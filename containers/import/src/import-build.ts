import type { BuildContext } from '@kiln/core';
import {
  DATASET_FORMAT,
  FASHION_MNIST_CLASSES,
  IDX_ROLES,
  datasetError,
  writeDatasetManifest,
  type DatasetManifest,
} from '@kiln/fashion-mnist';
import { importSet, type ImportedSet } from './idx-import.js';
import type { ImportParameters } from './import-parameters.js';
import { resolveSources, shortLocation } from './idx-sources.js';

/** Settings of the import build that do not come from the parameters. */
export interface ImportSettings {
  /** Folder of the full dataset. @defaultValue SYSTEM_DATASET_DIR */
  systemDir: string;
}

/**
 * Builds an import artifact: resolves the source, imports the training and test sets and writes
 * the manifest (format `kiln-fashion-mnist/v1`, stage `import`).
 */
export async function buildImport(
  ctx: BuildContext<ImportParameters>,
  settings: ImportSettings,
): Promise<void> {
  const parameters = ctx.parameters;
  const sources = await resolveSources(parameters, {
    systemDir: settings.systemDir,
    inputFiles: ctx.inputFiles,
  });
  ctx.log(`source: ${sources.kind}${parameters.source === 'auto' ? ' (auto)' : ''}`);
  for (const role of IDX_ROLES) ctx.log(`  ${role}: ${sources.files[role].location}`);
  const classCount = FASHION_MNIST_CLASSES.length;
  const sets: Record<string, ImportedSet> = {};
  const plan = [
    { setName: 'train', limit: parameters.trainLimit, weight: [0, 0.85] },
    { setName: 'test', limit: parameters.testLimit, weight: [0.85, 0.15] },
  ] as const;
  for (const { setName, limit, weight } of plan) {
    ctx.progress(weight[0], `reading ${setName} set`);
    const imported = await importSet({
      setName,
      images: sources.files[`${setName}-images`],
      labels: sources.files[`${setName}-labels`],
      limit,
      classCount,
      outputDir: ctx.outputDir,
      signal: ctx.signal,
      onProgress: (fraction) =>
        ctx.progress(weight[0] + weight[1] * fraction, `reading ${setName} set`),
    });
    sets[setName] = imported;
    ctx.log(
      `${setName}: ${imported.set.count} of ${imported.sourceCount} images, ${imported.rows}x${imported.cols}, per class [${imported.set.classCounts.join(', ')}]`,
    );
  }
  const train = sets['train'] as ImportedSet;
  const test = sets['test'] as ImportedSet;
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw datasetError(
      `training images are ${train.rows}x${train.cols} but test images are ${test.rows}x${test.cols}; they must match`,
    );
  }
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT,
    stage: 'import',
    classes: [...FASHION_MNIST_CLASSES],
    imageShape: [train.rows, train.cols],
    normalization: { method: 'none', scale: 1, offset: 0 },
    sets: { train: train.set, test: test.set },
    provenance: {
      source: sources.kind,
      files: Object.fromEntries(
        IDX_ROLES.map((role) => [role, shortLocation(sources.files[role].location)]),
      ),
      sourceCounts: { train: train.sourceCount, test: test.sourceCount },
    },
  };
  await writeDatasetManifest(ctx.outputDir, manifest);
  ctx.progress(1, 'imported');
}
