import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { ROOT } from './doc-examples.js';

const DATA = join(ROOT, 'components/fashion-mnist/data');
const SNEAKER = 7;
const SIDE = 28;

/**
 * Writes `sneaker.jpg` in `folder`, the reader's own image the serving pages predict: the first
 * sneaker of the bundled Fashion-MNIST test set, scaled up to 280×280 and saved as a JPEG, so
 * that the container decodes, scales and centres it as it would a photo.
 */
export async function writeSneakerJpeg(folder: string): Promise<string> {
  // IDX files: a 16-byte header before 28×28 uint8 images, an 8-byte one before the labels.
  const labels = gunzipSync(await readFile(join(DATA, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
  const images = gunzipSync(await readFile(join(DATA, 't10k-images-idx3-ubyte.gz'))).subarray(16);
  const index = labels.indexOf(SNEAKER);
  const pixels = images.subarray(index * SIDE * SIDE, (index + 1) * SIDE * SIDE);
  const file = join(folder, 'sneaker.jpg');
  const jpeg = await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 1 } })
    .resize(SIDE * 10, SIDE * 10)
    .jpeg()
    .toBuffer();
  await writeFile(file, jpeg);
  return file;
}
