import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdxFile, readIdxStream } from './idx-reader.js';
import { encodeIdx } from './idx-writer.js';

const images = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i % 256);
const idx = encodeIdx([3, 4, 5], images);

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(bytes: Uint8Array, chunk = 7): Promise<{ shape: number[]; data: Buffer }> {
  const parts: Buffer[] = [];
  const header = await readIdxStream(chunksOf(bytes, chunk), {
    label: 'train-images',
    onData: (part) => void parts.push(Buffer.from(part)),
  });
  return { shape: header.shape, data: Buffer.concat(parts) };
}

describe('readIdxStream', () => {
  it('reads the header and data, whatever the chunking', async () => {
    for (const chunk of [1, 3, 16, 1000]) {
      const { shape, data } = await read(idx, chunk);
      expect(shape).toEqual([3, 4, 5]);
      expect(Buffer.compare(data, Buffer.from(images))).toBe(0);
    }
  });

  it('gunzips by content, not by name', async () => {
    const { shape, data } = await read(gzipSync(idx), 5);
    expect(shape).toEqual([3, 4, 5]);
    expect(data.length).toBe(images.length);
  });

  it('refuses a wrong magic number', async () => {
    const bad = Buffer.from(idx);
    bad[0] = 0x50;
    await expect(read(bad)).rejects.toThrow(
      /train-images: not an IDX file \(wrong magic number 0x50000803/,
    );
    const badType = Buffer.from(idx);
    badType[2] = 0x42;
    await expect(read(badType)).rejects.toThrow(/unknown IDX data type 0x42/);
  });

  it('refuses a truncated file with the declared and actual sizes', async () => {
    await expect(read(idx.subarray(0, idx.length - 10))).rejects.toThrow(
      /train-images: truncated IDX file: its header declares 3x4x5 uint8 \(60 bytes of data\) but only 50 bytes follow/,
    );
    await expect(read(idx.subarray(0, 9))).rejects.toThrow(
      /truncated IDX header \(9 of 16 bytes\)/,
    );
    await expect(read(new Uint8Array(0))).rejects.toThrow(/the file is empty/);
  });

  it('refuses trailing bytes', async () => {
    await expect(read(Buffer.concat([idx, Buffer.from([1, 2])]))).rejects.toThrow(
      /more bytes follow the 60 bytes of data its header declares \(3x4x5 uint8\)/,
    );
  });

  it('refuses a truncated or corrupt gzip archive', async () => {
    const gz = gzipSync(idx);
    await expect(read(gz.subarray(0, gz.length - 12))).rejects.toThrow(
      /train-images: corrupt or truncated gzip archive \(unexpected end of file\)/,
    );
    const corrupt = Buffer.from(gz);
    corrupt.fill(0xff, corrupt.length - 8, corrupt.length - 4);
    await expect(read(corrupt)).rejects.toThrow(
      /train-images: corrupt or truncated gzip archive \(incorrect data check\)/,
    );
  });

  it('closes its source when it stops early', async () => {
    for (const bytes of [
      Buffer.from('PK\x03\x04 not idx'),
      gzipSync(Buffer.from('PK\x03\x04 not idx')),
    ]) {
      let closed = false;
      async function* source(): AsyncGenerator<Uint8Array> {
        try {
          for (;;) yield bytes;
        } finally {
          closed = true;
        }
      }
      await expect(readIdxStream(source(), { label: 'x', onData: () => {} })).rejects.toThrow(
        /not an IDX file/,
      );
      expect(closed).toBe(true);
    }
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      readIdxStream(chunksOf(idx, 4), { label: 'x', onData: () => {}, signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });

  it('lets onHeader refuse a file', async () => {
    await expect(
      readIdxStream(chunksOf(idx, 4), {
        label: 'x',
        onHeader: () => {
          throw new Error('want rank 1');
        },
        onData: () => {},
      }),
    ).rejects.toThrow('want rank 1');
  });
});

describe('readIdxFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-idx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file whole', async () => {
    const path = join(dir, 'labels.gz');
    await writeFile(path, gzipSync(encodeIdx([4], Uint8Array.of(1, 2, 3, 9))));
    const file = await readIdxFile(path);
    expect(file.header.shape).toEqual([4]);
    expect([...file.data]).toEqual([1, 2, 3, 9]);
  });
});
