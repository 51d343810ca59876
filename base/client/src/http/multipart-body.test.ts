import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKilnApiError } from '../errors/kiln-api-error.js';
import { encodeMultipart, fileParts } from './multipart-body.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-multipart-'));
  await writeFile(join(dir, 'in.csv'), 'a,b\n1,2\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('encodeMultipart', () => {
  it('encodes fields and files, with an exact length when sizes are known', async () => {
    const parts = [
      { name: 'parameters', value: '{"k":"é"}' },
      ...(await fileParts({ data: join(dir, 'in.csv') })),
    ];
    const encoded = encodeMultipart(parts);
    const boundary = /boundary=(.+)$/.exec(encoded.contentType)?.[1];
    const body = await text(encoded.body);
    expect(Buffer.byteLength(body)).toBe(encoded.length);
    expect(body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="parameters"\r\n\r\n{"k":"é"}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="in.csv"\r\nContent-Type: application/octet-stream\r\n\r\na,b\n1,2\n\r\n` +
        `--${boundary}--\r\n`,
    );
  });

  it('streams a Readable of unknown size, leaving the length open', async () => {
    const parts = await fileParts({
      data: { stream: Readable.from([Buffer.from('xyz')]), filename: 'a"b.bin' },
    });
    const encoded = encodeMultipart(parts);
    expect(encoded.length).toBeUndefined();
    const body = await text(encoded.body);
    expect(body).toContain('filename="a%22b.bin"');
    expect(body).toContain('\r\n\r\nxyz\r\n');
  });

  it('refuses a path that is not a readable file', async () => {
    const error = await fileParts({ data: join(dir, 'missing.csv') }).catch((e: unknown) => e);
    expect(isKilnApiError(error) && error.code).toBe('LOCAL_FILE_ERROR');
    expect((error as Error).message).toMatch(/input file 'data'.*ENOENT/);
  });
});
