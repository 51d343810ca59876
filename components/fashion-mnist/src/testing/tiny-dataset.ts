import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { IDX_FILE_NAMES, type IdxRole } from '../dataset/data-paths.js';
import { writeIdxFile } from '../idx/idx-writer.js';
import { seededRandom } from '../util/seeded-random.js';

/** What {@link writeTinyFashionMnist} makes. */
export interface TinyDatasetOptions {
  /** Training images. @defaultValue 200 */
  train?: number;
  /** Test images. @defaultValue 50 */
  test?: number;
  /** Image side. @defaultValue 28 */
  size?: number;
  /** Gzip the files. @defaultValue true */
  gzip?: boolean;
  /** @defaultValue 1 */
  seed?: number;
}

/**
 * Synthetic images any of the networks learns in an epoch or two: noise plus a bright 6x6
 * square whose place depends on the class (a 5x2 grid of places), jittered by a pixel.
 */
export function tinyImages(
  count: number,
  size: number,
  seed: number,
): { images: Uint8Array; labels: Uint8Array } {
  const random = seededRandom(seed);
  const images = new Uint8Array(count * size * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    const base = i * size * size;
    for (let p = 0; p < size * size; p++) images[base + p] = Math.floor(random() * 60);
    const top = 2 + (label % 5) * Math.floor((size - 8) / 5) + Math.floor(random() * 2);
    const left = label < 5 ? 3 + Math.floor(random() * 2) : size - 10 + Math.floor(random() * 2);
    for (let y = top; y < Math.min(size, top + 6); y++) {
      for (let x = left; x < Math.min(size, left + 6); x++)
        images[base + y * size + x] = 200 + Math.floor(random() * 55);
    }
  }
  return { images, labels };
}

/**
 * Writes the four IDX files of a tiny synthetic Fashion-MNIST look-alike into `dir`, under the
 * published names (`train-images-idx3-ubyte.gz`, …). Returns their paths by role.
 */
export async function writeTinyFashionMnist(
  dir: string,
  options: TinyDatasetOptions = {},
): Promise<Record<IdxRole, string>> {
  const size = options.size ?? 28;
  const gzip = options.gzip ?? true;
  const seed = options.seed ?? 1;
  await mkdir(dir, { recursive: true });
  const paths = {} as Record<IdxRole, string>;
  const sets = [
    ['train', options.train ?? 200, seed],
    ['test', options.test ?? 50, seed + 1],
  ] as const;
  for (const [set, count, setSeed] of sets) {
    const { images, labels } = tinyImages(count, size, setSeed);
    const imagesPath = join(dir, `${IDX_FILE_NAMES[`${set}-images`]}${gzip ? '.gz' : ''}`);
    const labelsPath = join(dir, `${IDX_FILE_NAMES[`${set}-labels`]}${gzip ? '.gz' : ''}`);
    await writeIdxFile(imagesPath, [count, size, size], images, { gzip });
    await writeIdxFile(labelsPath, [count], labels, { gzip });
    paths[`${set}-images`] = imagesPath;
    paths[`${set}-labels`] = labelsPath;
  }
  return paths;
}
