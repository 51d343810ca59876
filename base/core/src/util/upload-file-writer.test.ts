import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UploadFileWriter } from './upload-file-writer.js';

const BLOCK = 2 << 20;
const folders: string[] = [];

async function folderIn(root: string): Promise<string> {
  const folder = await mkdtemp(join(root, 'kiln-upload-'));
  folders.push(folder);
  return folder;
}

/** Streams `data` in uneven chunks, as a socket would deliver it. */
function chunked(data: Buffer, chunkBytes: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkBytes)
    chunks.push(data.subarray(offset, offset + chunkBytes));
  return Readable.from(chunks);
}

async function writeThrough(
  folder: string,
  data: Buffer,
  chunkBytes = 65_536 + 7,
): Promise<{ path: string; writer: UploadFileWriter }> {
  const path = join(folder, 'upload.bin');
  const writer = new UploadFileWriter(path);
  await pipeline(chunked(data, chunkBytes), writer);
  return { path, writer };
}

let folder: string;
beforeEach(async () => {
  folder = await folderIn(tmpdir());
});
afterEach(async () => {
  await Promise.all(folders.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

describe('UploadFileWriter', () => {
  // Sizes around the 4 KiB alignment and the 2 MiB block, where padding and block switches happen.
  const sizes = [0, 1, 4095, 4096, 4097, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12_345];
  it.each(sizes)('writes exactly %i bytes and hashes them', async (size) => {
    const data = randomBytes(size);
    const { path, writer } = await writeThrough(folder, data);
    const written = await readFile(path);
    expect(written.length).toBe(size);
    expect(written.equals(data)).toBe(true);
    expect(writer.size).toBe(size);
    expect(writer.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('takes chunks larger than a block', async () => {
    const data = randomBytes(2 * BLOCK + 99);
    const { path } = await writeThrough(folder, data, BLOCK + 4097);
    expect((await readFile(path)).equals(data)).toBe(true);
  });

  it('writes to tmpfs too, where O_DIRECT may be refused', async () => {
    if (!existsSync('/dev/shm')) return;
    const data = randomBytes(BLOCK + 5000);
    const { path, writer } = await writeThrough(await folderIn('/dev/shm'), data);
    expect((await readFile(path)).equals(data)).toBe(true);
    expect(writer.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('never overwrites an existing file', async () => {
    const path = join(folder, 'taken.bin');
    await writeFile(path, 'keep me');
    await expect(
      pipeline(Readable.from([Buffer.from('new')]), new UploadFileWriter(path)),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('keep me');
  });

  it('fails the pipeline when the source fails, leaving a partial file to remove', async () => {
    const path = join(folder, 'broken.bin');
    async function* broken(): AsyncGenerator<Buffer> {
      yield randomBytes(BLOCK + 10);
      throw new Error('connection reset');
    }
    await expect(pipeline(Readable.from(broken()), new UploadFileWriter(path))).rejects.toThrow(
      'connection reset',
    );
    expect((await stat(path)).isFile()).toBe(true);
  });

  it('keeps concurrent uploads apart', async () => {
    const inputs = [randomBytes(BLOCK * 2 + 1), randomBytes(BLOCK + 3), randomBytes(BLOCK * 3)];
    const results = await Promise.all(
      inputs.map(async (data, i) => {
        const path = join(folder, `parallel-${i}.bin`);
        await pipeline(chunked(data, 100_003), new UploadFileWriter(path));
        return readFile(path);
      }),
    );
    results.forEach((written, i) => expect(written.equals(inputs[i]!)).toBe(true));
  });
});
