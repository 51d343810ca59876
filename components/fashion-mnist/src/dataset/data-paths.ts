import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetError } from '../util/dataset-error.js';

/** Where Debian's `dataset-fashion-mnist` package installs the full dataset. */
export const SYSTEM_DATASET_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * The small subset shipped with this package (4,000 training and 1,000 test images, gzipped
 * IDX), so the example runs offline on a fresh machine.
 */
export const BUNDLED_DATASET_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** The four files of the dataset, by role. */
export const IdxRole = {
  TrainImages: 'train-images',
  TrainLabels: 'train-labels',
  TestImages: 'test-images',
  TestLabels: 'test-labels',
} as const;
export type IdxRole = (typeof IdxRole)[keyof typeof IdxRole];

/** The published file names of each role (optionally with `.gz`). */
export const IDX_FILE_NAMES: Record<IdxRole, string> = {
  'train-images': 'train-images-idx3-ubyte',
  'train-labels': 'train-labels-idx1-ubyte',
  'test-images': 't10k-images-idx3-ubyte',
  'test-labels': 't10k-labels-idx1-ubyte',
};

/** The four roles in order. */
export const IDX_ROLES = Object.values(IdxRole);

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The paths of the four files in a folder, under their published names, gzipped or not.
 * Throws a 422-like error listing the files it could not find.
 */
export async function findIdxFiles(dir: string): Promise<Record<IdxRole, string>> {
  const found: Partial<Record<IdxRole, string>> = {};
  const missing: string[] = [];
  for (const role of IDX_ROLES) {
    const base = join(dir, IDX_FILE_NAMES[role]);
    const candidates = [`${base}.gz`, base];
    let path: string | undefined;
    for (const candidate of candidates) {
      if (await exists(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path) found[role] = path;
    else missing.push(`${IDX_FILE_NAMES[role]}[.gz]`);
  }
  if (missing.length > 0) throw datasetError(`${dir}: missing ${missing.join(', ')}`);
  return found as Record<IdxRole, string>;
}

/** Whether a folder holds the four files. */
export async function hasIdxFiles(dir: string): Promise<boolean> {
  return findIdxFiles(dir).then(
    () => true,
    () => false,
  );
}
