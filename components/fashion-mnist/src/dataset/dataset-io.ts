import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetError } from '../util/dataset-error.js';
import {
  DATASET_FORMAT,
  MANIFEST_FILE,
  type DatasetManifest,
  type DatasetSet,
} from './dataset-manifest.js';
import { checkTensorFile } from './tensor-io.js';

/**
 * Reads and checks the manifest of a dataset artifact folder: its format, and that every tensor
 * file it names exists with the declared size and that labels match images.
 *
 * @param label - names the artifact in error messages (the parameter it came from).
 */
export async function readDatasetManifest(
  dir: string,
  label = 'dataset',
): Promise<DatasetManifest> {
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
  if (text === null) {
    throw datasetError(
      `${label}: no ${MANIFEST_FILE}; expected an artifact of the import, process, export or split tool`,
    );
  }
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(text) as DatasetManifest;
  } catch (error) {
    throw datasetError(`${label}: ${MANIFEST_FILE} is not valid JSON`, error);
  }
  if (manifest.format !== DATASET_FORMAT || typeof manifest.sets !== 'object') {
    throw datasetError(`${label}: ${MANIFEST_FILE} is not a ${DATASET_FORMAT} manifest`);
  }
  for (const [name, set] of Object.entries(manifest.sets)) {
    await checkSet(dir, name, set, label);
  }
  return manifest;
}

async function checkSet(dir: string, name: string, set: DatasetSet, label: string): Promise<void> {
  if (set.images.shape[0] !== set.count || set.labels.shape[0] !== set.count) {
    throw datasetError(
      `${label}: set '${name}' declares ${set.count} items but ${set.images.shape[0]} images and ${set.labels.shape[0]} labels`,
    );
  }
  await checkTensorFile(dir, set.images);
  await checkTensorFile(dir, set.labels);
  if (set.oneHot) await checkTensorFile(dir, set.oneHot);
  if (set.origins) await checkTensorFile(dir, set.origins);
}

/** The named set of a manifest, or a 422-like error listing the sets it has. */
export function requireSet(manifest: DatasetManifest, name: string, label = 'dataset'): DatasetSet {
  const set = manifest.sets[name];
  if (!set) {
    const have = Object.keys(manifest.sets).join(', ') || 'none';
    throw datasetError(`${label}: has no '${name}' set (it has: ${have})`);
  }
  return set;
}

/** Writes `manifest.json` into an output folder. */
export async function writeDatasetManifest(dir: string, manifest: DatasetManifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Images per class of a label array. */
export function countClasses(labels: Uint8Array, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
