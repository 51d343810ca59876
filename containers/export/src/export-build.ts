import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '@kiln/core';
import {
  DATASET_FORMAT,
  IDENTITY_AFFINE,
  affineBetween,
  datasetError,
  readDatasetManifest,
  readTensorFile,
  sameAffine,
  writeDatasetManifest,
  writeTensorFile,
  type DatasetManifest,
  type DatasetSet,
} from '@kiln/fashion-mnist';
import { convertImages } from './convert-images.js';
import type { ExportParameters } from './export-parameters.js';
import { oneHot } from './one-hot.js';

function imageShapeFor(layout: ExportParameters['layout'], source: number[]): number[] {
  const pixels = source.reduce((product, size) => product * size, 1);
  if (layout === 'flat') return [pixels];
  return source.length === 2 ? [...source, 1] : source;
}

interface ExportSetOptions {
  ctx: BuildContext<ExportParameters>;
  inputDir: string;
  manifest: DatasetManifest;
  name: string;
  set: DatasetSet;
  imageShape: number[];
  progress: (fraction: number) => void;
}

async function exportSet(options: ExportSetOptions): Promise<DatasetSet> {
  const { ctx, inputDir, manifest, name, set, imageShape } = options;
  const { dtype } = ctx.parameters;
  const outDir = ctx.outputDir;
  const shape = [set.count, ...imageShape];
  let images: DatasetSet['images'];
  if (dtype === 'uint8') {
    if (set.images.dtype !== 'uint8' || !sameAffine(set.images.encoding, IDENTITY_AFFINE)) {
      throw datasetError(
        `dataset: set '${name}' holds ${set.images.dtype} values; dtype "uint8" needs raw pixels`,
      );
    }
    images = { file: `${name}-x.u8`, dtype: 'uint8', shape, encoding: IDENTITY_AFFINE };
    await copyFile(join(inputDir, set.images.file), join(outDir, images.file));
  } else {
    const encoding = { scale: manifest.normalization.scale, offset: manifest.normalization.offset };
    images = { file: `${name}-x.f32`, dtype: 'float32', shape, encoding };
    await convertImages({
      inputDir,
      source: set.images,
      outputPath: join(outDir, images.file),
      map: affineBetween(set.images.encoding, encoding),
      signal: ctx.signal,
      onProgress: options.progress,
    });
  }
  const labels = { file: `${name}-y.u8`, dtype: 'uint8' as const, shape: [set.count] };
  await copyFile(join(inputDir, set.labels.file), join(outDir, labels.file));
  const exported: DatasetSet = { count: set.count, images, labels, classCounts: set.classCounts };
  if (ctx.parameters.oneHot) {
    const values = await readTensorFile(inputDir, { ...set.labels, dtype: 'uint8' });
    exported.oneHot = {
      file: `${name}-y-onehot.f32`,
      dtype: 'float32',
      shape: [set.count, manifest.classes.length],
    };
    await writeTensorFile(
      join(outDir, exported.oneHot.file),
      oneHot(values, manifest.classes.length),
    );
  }
  if (set.origins) {
    exported.origins = { ...set.origins, file: `${name}-origins.u32` };
    await copyFile(join(inputDir, set.origins.file), join(outDir, exported.origins.file));
  }
  return exported;
}

/**
 * Builds an export artifact: for every set, the images as network-ready tensors (float32 with
 * the normalisation applied, or raw uint8), the labels, optional one-hot labels, and a manifest
 * with shapes, dtypes, classes and class counts.
 */
export async function buildExport(ctx: BuildContext<ExportParameters>): Promise<void> {
  const inputDir = ctx.inputs['dataset'] as string;
  const input = await readDatasetManifest(inputDir, 'dataset');
  const imageShape = imageShapeFor(ctx.parameters.layout, input.imageShape);
  const names = Object.keys(input.sets);
  const sets: Record<string, DatasetSet> = {};
  for (const [index, name] of names.entries()) {
    const set = input.sets[name] as DatasetSet;
    const progress = (fraction: number) =>
      ctx.progress((index + fraction) / names.length, `exporting ${name}`);
    sets[name] = await exportSet({
      ctx,
      inputDir,
      manifest: input,
      name,
      set,
      imageShape,
      progress,
    });
    const file = sets[name]?.images;
    ctx.log(`${name}: ${file?.file} ${file?.dtype} [${file?.shape.join(', ')}]`);
  }
  await writeDatasetManifest(ctx.outputDir, {
    format: DATASET_FORMAT,
    stage: 'export',
    classes: input.classes,
    imageShape,
    normalization: input.normalization,
    sets,
    provenance: {
      input: input.provenance,
      dtype: ctx.parameters.dtype,
      layout: ctx.parameters.layout,
    },
  });
  ctx.progress(1, 'exported');
}
