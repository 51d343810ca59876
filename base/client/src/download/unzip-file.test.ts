import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKilnApiError } from '../errors/kiln-api-error.js';
import { unzipFile } from './unzip-file.js';

/** A minimal zip writer (stored entries), so tests can craft hostile archives. */
function storedZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(content);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-unzip-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('unzipFile', () => {
  it('unpacks entries into folders and hashes each file', async () => {
    const zip = join(dir, 'ok.zip');
    await writeFile(zip, storedZip({ 'a.txt': 'alpha', 'sub/': '', 'sub/b.txt': 'beta' }));
    let bytes = 0;
    const files = await unzipFile(zip, join(dir, 'ok'), (n) => (bytes += n));
    expect(files).toEqual([
      { path: 'a.txt', size: 5, sha256: createHash('sha256').update('alpha').digest('hex') },
      { path: 'sub/b.txt', size: 4, sha256: createHash('sha256').update('beta').digest('hex') },
    ]);
    expect(bytes).toBe(9);
    expect(await readFile(join(dir, 'ok', 'sub', 'b.txt'), 'utf8')).toBe('beta');
  });

  it.each(['../escape.txt', '/etc/kiln-escape', 'a\\..\\..\\escape.txt'])(
    'refuses the entry %s',
    async (name) => {
      const zip = join(dir, 'bad.zip');
      await writeFile(zip, storedZip({ 'fine.txt': 'x', [name]: 'evil' }));
      const out = join(dir, 'bad');
      const error = await unzipFile(zip, out, () => undefined).catch((e: unknown) => e);
      expect(isKilnApiError(error) && error.code).toBe('UNSAFE_ARCHIVE_ENTRY');
      expect(await readdir(dir)).not.toContain('escape.txt');
    },
  );
});
