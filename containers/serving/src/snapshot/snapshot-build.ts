import type { BuildContext } from '@kiln/core';
import { IDX_FILE_NAMES, encodeIdx } from '@kiln/fashion-mnist';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readExamples, type LabelledExamples } from '../store/feedback-store.js';
import type { SnapshotParameters, SnapshotSettings } from './snapshot-parameters.js';

/** The summary file beside the IDX files. */
const SUMMARY_FILE = 'snapshot.json';

function perClass(labels: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

/** Writes an IDX file gzipped, under its published name (`train-images-idx3-ubyte.gz`). */
async function writeIdx(
  dir: string,
  name: string,
  shape: number[],
  data: Uint8Array,
): Promise<void> {
  await writeFile(join(dir, `${name}.gz`), gzipSync(encodeIdx(shape, data)));
}

async function writeSet(
  dir: string,
  images: string,
  labels: string,
  set: LabelledExamples,
  size: { height: number; width: number },
): Promise<void> {
  await writeIdx(dir, images, [set.count, size.height, size.width], set.pixels);
  await writeIdx(dir, labels, [set.count], set.labels);
}

/**
 * Builds a snapshot of a model's labels as the four gzipped IDX files the import container reads,
 * under Fashion-MNIST's published names: the labels to train on as `train-images-idx3-ubyte.gz`
 * and `train-labels-idx1-ubyte.gz`, the held-out ones (never trained on) as
 * `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`, in the order they were given,
 * with `snapshot.json` saying what it holds. It reads the serving database on a read-only
 * connection of its own.
 */
export async function buildSnapshot(ctx: BuildContext<SnapshotParameters>): Promise<void> {
  const { database } = ctx.settings as unknown as SnapshotSettings;
  if (typeof database !== 'string') throw new Error('the serving container gave no database');
  const { model, through } = ctx.parameters;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const bound = through === undefined ? '' : ' AND seq <= ?';
    const values = through === undefined ? [model] : [model, through];
    const train = readExamples(db, `WHERE model = ? AND held_out = 0${bound}`, values);
    const heldOut = readExamples(db, `WHERE model = ? AND held_out = 1${bound}`, values);
    if (train.count + heldOut.count === 0) {
      throw new Error(
        `'${model}' has no labels${through === undefined ? '' : ` up to ${through}`}`,
      );
    }
    const size = train.count > 0 ? train : heldOut;
    if (
      train.count > 0 &&
      heldOut.count > 0 &&
      (train.height !== heldOut.height || train.width !== heldOut.width)
    ) {
      throw new Error('the labelled images are not all of one size');
    }
    ctx.progress(0.5, 'writing IDX files');
    await writeSet(
      ctx.outputDir,
      IDX_FILE_NAMES['train-images'],
      IDX_FILE_NAMES['train-labels'],
      train,
      size,
    );
    await writeSet(
      ctx.outputDir,
      IDX_FILE_NAMES['test-images'],
      IDX_FILE_NAMES['test-labels'],
      heldOut,
      size,
    );
    const summary = {
      model,
      through: through ?? null,
      imageSize: { height: size.height, width: size.width },
      train: { count: train.count, perClass: perClass(train.labels) },
      heldOut: { count: heldOut.count, perClass: perClass(heldOut.labels) },
    };
    await writeFile(join(ctx.outputDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    ctx.log(`${model}: ${train.count} labels to train on, ${heldOut.count} held out`);
    ctx.progress(1, 'snapshot written');
  } finally {
    db.close();
  }
}
