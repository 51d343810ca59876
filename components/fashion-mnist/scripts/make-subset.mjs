// Regenerates data/: a class-balanced subset of Fashion-MNIST (the first 400 training and
// 100 test images of each class, in file order) as gzipped IDX files.
// Usage: node components/fashion-mnist/scripts/make-subset.mjs [source-dir]
// (build the package first: npx tsc -b components/fashion-mnist)
import { join } from 'node:path';
import {
  BUNDLED_DATASET_DIR,
  IDX_FILE_NAMES,
  SYSTEM_DATASET_DIR,
  findIdxFiles,
  readIdxFile,
  writeIdxFile,
} from '../dist/index.js';

const source = process.argv[2] ?? SYSTEM_DATASET_DIR;
const files = await findIdxFiles(source);

async function subset(imagesRole, labelsRole, perClass) {
  const images = await readIdxFile(files[imagesRole], imagesRole);
  const labels = await readIdxFile(files[labelsRole], labelsRole);
  const [, rows, cols] = images.header.shape;
  const pixels = rows * cols;
  const taken = new Array(10).fill(0);
  const picked = [];
  for (let i = 0; i < labels.data.length && picked.length < perClass * 10; i++) {
    const label = labels.data[i];
    if (taken[label] < perClass) {
      taken[label] += 1;
      picked.push(i);
    }
  }
  const outImages = new Uint8Array(picked.length * pixels);
  const outLabels = new Uint8Array(picked.length);
  picked.forEach((index, j) => {
    outImages.set(images.data.subarray(index * pixels, (index + 1) * pixels), j * pixels);
    outLabels[j] = labels.data[index];
  });
  const dir = BUNDLED_DATASET_DIR;
  await writeIdxFile(
    join(dir, `${IDX_FILE_NAMES[imagesRole]}.gz`),
    [picked.length, rows, cols],
    outImages,
    { gzip: true },
  );
  await writeIdxFile(join(dir, `${IDX_FILE_NAMES[labelsRole]}.gz`), [picked.length], outLabels, {
    gzip: true,
  });
  process.stdout.write(`${imagesRole}: ${picked.length} images (last index ${picked.at(-1)})\n`);
}

await subset('train-images', 'train-labels', 400);
await subset('test-images', 'test-labels', 100);
