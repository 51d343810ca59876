import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { encodeIdxHeader } from './idx-header.js';

/** Options of {@link writeIdxFile}. */
export interface WriteIdxOptions {
  /** Gzip the file, as the published Fashion-MNIST archives are. @defaultValue false */
  gzip?: boolean;
}

/** An unsigned-byte IDX file of the given shape: the header then the data. */
export function encodeIdx(shape: readonly number[], data: Uint8Array): Buffer {
  const expected = shape.reduce((product, size) => product * size, 1);
  if (data.length !== expected) {
    throw new RangeError(`shape ${shape.join('x')} needs ${expected} bytes, got ${data.length}`);
  }
  return Buffer.concat([encodeIdxHeader(shape), data]);
}

/** Writes an unsigned-byte IDX file (tests, the bundled subset). */
export async function writeIdxFile(
  path: string,
  shape: readonly number[],
  data: Uint8Array,
  options: WriteIdxOptions = {},
): Promise<void> {
  const bytes = encodeIdx(shape, data);
  await writeFile(path, options.gzip ? gzipSync(bytes, { level: 9 }) : bytes);
}
