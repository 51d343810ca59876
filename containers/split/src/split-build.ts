import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '@kiln/core';
import {
  DATASET_FORMAT,
  countClasses,
  readDatasetManifest,
  readTensorFile,
  requireSet,
  writeDatasetManifest,
  writeTensorFile,
  type DatasetSet,
  type TensorFile,
} from '@kiln/fashion-mnist';
import { appendExtraExamples, readExtraExamples } from './extra-examples.js';
import { writeRows } from './gather-rows.js';
import type { SplitParameters } from './split-parameters.js';
import { splitIndices } from './stratified-split.js';

function renamed(spec: TensorFile, side: string, count: number): TensorFile {
  // `train-x.f32` → `validation-x.f32`; a name without a set prefix gets one.
  const dash = spec.file.indexOf('-');
  const file = dash > 0 ? `${side}${spec.file.slice(dash)}` : `${side}-${spec.file}`;
  return { ...spec, file, shape: [count, ...spec.shape.slice(1)] };
}

async function writeSide(
  inputDir: string,
  outputDir: string,
  set: DatasetSet,
  side: string,
  rows: Uint32Array,
  sources: Map<TensorFile, Buffer>,
  labels: Uint8Array,
): Promise<DatasetSet> {
  const pick = async (spec: TensorFile): Promise<TensorFile> => {
    const out = renamed(spec, side, rows.length);
    const source = sources.get(spec) ?? (await readFile(join(inputDir, spec.file)));
    await writeRows(source, spec, rows, join(outputDir, out.file));
    return out;
  };
  const images = { ...(await pick(set.images)), encoding: set.images.encoding };
  const sideLabels = Uint8Array.from(rows, (row) => labels[row] as number);
  const out: DatasetSet = {
    count: rows.length,
    images,
    labels: await pick(set.labels),
    classCounts: countClasses(sideLabels, set.classCounts.length),
  };
  if (set.oneHot) out.oneHot = await pick(set.oneHot);
  return out;
}

/**
 * Builds a split artifact: a seeded, stratified train/validation split of one set of the input
 * (`train` by default), both sides written as tensors in the input's dtype, with the chosen rows
 * in `train-indices.u32` and `validation-indices.u32`. The training examples of an `extra`
 * labelled-dataset artifact (people's labels) are appended to the training side, `extraCopies`
 * times each, after the rows the indices name.
 */
export async function buildSplit(ctx: BuildContext<SplitParameters>): Promise<void> {
  const { validationFraction, seed, stratify, from, extraCopies } = ctx.parameters;
  const inputDir = ctx.inputs['dataset'] as string;
  const input = await readDatasetManifest(inputDir, 'dataset');
  const set = requireSet(input, from, 'dataset');
  const extraDir = ctx.inputs['extra'];
  const pixelsPerImage = input.imageShape.reduce((product, size) => product * size, 1);
  const extra = extraDir
    ? await readExtraExamples(extraDir, pixelsPerImage, input.classes.length)
    : null;
  const labels = await readTensorFile(inputDir, { ...set.labels, dtype: 'uint8' });
  const origins = set.origins
    ? await readTensorFile(inputDir, { ...set.origins, dtype: 'uint32' })
    : undefined;
  const split = splitIndices({
    labels,
    origins,
    classCount: input.classes.length,
    validationFraction,
    seed,
    stratify,
  });
  ctx.log(
    `split '${from}' (${set.count} images, seed ${seed}${stratify ? ', stratified' : ''}): ${split.train.length} train, ${split.validation.length} validation`,
  );
  ctx.progress(0.1, 'reading images');
  const sources = new Map<TensorFile, Buffer>([
    [set.images, await readFile(join(inputDir, set.images.file))],
  ]);
  ctx.signal.throwIfAborted();
  ctx.progress(0.4, 'writing training set');
  let train = await writeSide(inputDir, ctx.outputDir, set, 'train', split.train, sources, labels);
  if (extra) {
    train = await appendExtraExamples(
      ctx.outputDir,
      train,
      extra,
      extraCopies,
      input.classes.length,
    );
    ctx.log(
      `extra: ${extra.count} labelled examples${extraCopies > 1 ? ` × ${extraCopies}` : ''} added to the training side (${train.count} images)`,
    );
  }
  ctx.signal.throwIfAborted();
  ctx.progress(0.8, 'writing validation set');
  const validation = await writeSide(
    inputDir,
    ctx.outputDir,
    set,
    'validation',
    split.validation,
    sources,
    labels,
  );
  await writeTensorFile(join(ctx.outputDir, 'train-indices.u32'), split.train);
  await writeTensorFile(join(ctx.outputDir, 'validation-indices.u32'), split.validation);
  ctx.log(`validation per class: [${split.validationPerClass.join(', ')}]`);
  await writeDatasetManifest(ctx.outputDir, {
    format: DATASET_FORMAT,
    stage: 'split',
    classes: input.classes,
    imageShape: input.imageShape,
    normalization: input.normalization,
    sets: { train, validation },
    provenance: {
      input: input.provenance,
      from,
      validationFraction,
      seed,
      stratify,
      indices: { train: 'train-indices.u32', validation: 'validation-indices.u32' },
      ...(extra ? { extra: { count: extra.count, copies: extraCopies } } : {}),
    },
  });
  ctx.progress(1, 'split');
}
