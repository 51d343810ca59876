import { open } from 'node:fs/promises';
import { DTYPE_BYTES, rowLength, type TensorFile } from '@kiln/fashion-mnist';

/**
 * Writes the given rows of a tensor (held in memory as raw bytes) to a new file, in blocks:
 * the output is never held whole.
 */
export async function writeRows(
  source: Buffer,
  spec: TensorFile,
  rows: Uint32Array,
  outputPath: string,
): Promise<void> {
  const rowBytes = rowLength(spec.shape) * DTYPE_BYTES[spec.dtype];
  const blockRows = Math.max(1, Math.floor((8 << 20) / Math.max(1, rowBytes)));
  const block = Buffer.alloc(Math.min(rows.length, blockRows) * rowBytes);
  const handle = await open(outputPath, 'w');
  try {
    for (let start = 0; start < rows.length; start += blockRows) {
      const end = Math.min(rows.length, start + blockRows);
      for (let i = start; i < end; i++) {
        const row = rows[i] as number;
        source.copy(block, (i - start) * rowBytes, row * rowBytes, (row + 1) * rowBytes);
      }
      await handle.write(block, 0, (end - start) * rowBytes);
    }
  } finally {
    await handle.close();
  }
}
