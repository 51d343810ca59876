import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DTYPE_BYTES,
  applyAffine,
  rowLength,
  type Affine,
  type TensorFile,
} from '@kiln/fashion-mnist';

const BLOCK_ROWS = 2048;

/** What {@link convertImages} needs. */
export interface ConvertImagesOptions {
  inputDir: string;
  source: TensorFile;
  outputPath: string;
  /** Applied to each stored value to give the output value. */
  map: Affine;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * Streams an image tensor (uint8 or float32) into a float32 file, applying `map` to each value,
 * a block of rows at a time: memory stays at one block whatever the set's size.
 */
export async function convertImages(options: ConvertImagesOptions): Promise<void> {
  const { source } = options;
  const count = source.shape[0] ?? 0;
  const row = rowLength(source.shape);
  const inBytes = DTYPE_BYTES[source.dtype];
  const input = await open(join(options.inputDir, source.file), 'r');
  const output = await open(options.outputPath, 'w');
  try {
    const inBlock = Buffer.alloc(BLOCK_ROWS * row * inBytes);
    const outBlock = new Float32Array(BLOCK_ROWS * row);
    for (let start = 0; start < count; start += BLOCK_ROWS) {
      options.signal.throwIfAborted();
      const rows = Math.min(BLOCK_ROWS, count - start);
      const length = rows * row;
      await input.read(inBlock, 0, length * inBytes, start * row * inBytes);
      const values =
        source.dtype === 'uint8'
          ? new Uint8Array(inBlock.buffer, inBlock.byteOffset, length)
          : new Float32Array(inBlock.buffer, inBlock.byteOffset, length);
      const out = applyAffine(values, options.map, outBlock.subarray(0, length));
      await output.write(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      options.onProgress?.((start + rows) / count);
    }
  } finally {
    await input.close();
    await output.close();
  }
}
