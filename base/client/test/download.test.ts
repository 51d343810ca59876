import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiln, artifactDigest, type DownloadProgress, type ToolClient } from '../src/index.js';
import { Fixture, startFixture, tempDir, type FixtureServer } from './support/servers.js';

let server: FixtureServer;
let tool: ToolClient;
let dir: string;

async function build(name: string, parameters: Record<string, unknown>): Promise<void> {
  await tool.create({ name, parameters });
  const done = await tool.wait(name);
  if (done.status !== 'completed') throw new Error(`${name} ${done.status}: ${done.error}`);
}

beforeAll(async () => {
  server = await startFixture(Fixture.Echo);
  tool = Kiln.direct(server.url).container();
  dir = await tempDir('download');
  // One at a time: each artifact is built before the next is created.
  await build('one-file', { message: 'single', files: 1 });
  await build('three-files', { message: 'many', files: 3 });
  await build('no-files', { files: 0 });
  await build('tampered', { message: 'intact', files: 2 });
  big = randomBytes(3 << 20);
  await writeFile(join(dir, 'big.bin'), big);
  await tool.create({
    name: 'big',
    parameters: { files: 0 },
    files: { input: join(dir, 'big.bin') },
  });
  await tool.wait('big');
});

let big: Buffer;

/**
 * A TCP relay to the server that cuts the first answer longer than `cutAfter` bytes once that
 * many have passed, and records the head of every request it relays.
 */
async function cuttingRelay(
  cutAfter: number,
): Promise<{ url: string; heads: string[]; server: Server }> {
  const heads: string[] = [];
  let cut = false;
  const relay = createServer((client) => {
    const upstream = connect(Number(new URL(server.url).port), '127.0.0.1');
    let passed = 0;
    client.on('data', (chunk: Buffer) => {
      heads.push(chunk.toString('latin1').split('\r\n\r\n')[0]!);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cut || passed + chunk.length <= cutAfter) {
        passed += chunk.length;
        client.write(chunk);
        return;
      }
      cut = true;
      client.write(chunk.subarray(0, cutAfter - passed), () => {
        client.destroy();
        upstream.destroy();
      });
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  const { port } = relay.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, heads, server: relay };
}
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('download', () => {
  it('writes a single file to a path, with progress, checked against the digest', async () => {
    const progress: DownloadProgress[] = [];
    const result = await tool.download('one-file', join(dir, 'single.txt'), {
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ kind: 'file', path: join(dir, 'single.txt') });
    expect(await readFile(join(dir, 'single.txt'), 'utf8')).toBe('single\n');
    expect(result.digest).toBe((await tool.get('one-file')).digest);
    expect(progress.at(-1)).toEqual({ phase: 'download', transferred: 7, total: 7 });
  });

  it('writes a single file into an existing folder under its own name', async () => {
    await mkdir(join(dir, 'into'));
    const result = await tool.download('one-file', join(dir, 'into'));
    expect(result.path).toBe(join(dir, 'into', 'message.txt'));
    expect(await readdir(join(dir, 'into'))).toEqual(['message.txt']);
  });

  it('unpacks several files from a streamed zip into a folder', async () => {
    const phases = new Set<string>();
    const result = await tool.download('three-files', join(dir, 'many'), {
      onProgress: (p) => phases.add(p.phase),
    });
    expect(result.kind).toBe('folder');
    expect(result.files.map((f) => f.path).sort()).toEqual([
      'message.txt',
      'parts/part-1.txt',
      'parts/part-2.txt',
    ]);
    expect(await readFile(join(dir, 'many', 'parts', 'part-2.txt'), 'utf8')).toBe('many 2\n');
    expect(artifactDigest(result.files)).toBe((await tool.get('three-files')).digest);
    expect([...phases]).toEqual(['download', 'unpack']);
    expect((await readdir(dir)).filter((name) => name.startsWith('.kiln-download-'))).toEqual([]);
  });

  it('merges into an existing folder and makes an empty one for an artifact without files', async () => {
    await mkdir(join(dir, 'merge'));
    await writeFile(join(dir, 'merge', 'keep.txt'), 'mine');
    await tool.download('three-files', join(dir, 'merge'));
    expect((await readdir(join(dir, 'merge'))).sort()).toEqual([
      'keep.txt',
      'message.txt',
      'parts',
    ]);
    const empty = await tool.download('no-files', join(dir, 'empty'));
    expect(empty).toMatchObject({ kind: 'folder', files: [] });
    expect(await readdir(join(dir, 'empty'))).toEqual([]);
  });

  it('goes on from where a dropped connection left off, with Range and If-Range', async () => {
    const relay = await cuttingRelay(1 << 20);
    try {
      const client = Kiln.direct(relay.url, { retryDelay: 1 }).container();
      const progress: DownloadProgress[] = [];
      const result = await client.download('big', join(dir, 'big-copy.bin'), {
        onProgress: (p) => progress.push(p),
      });
      expect((await readFile(result.path)).equals(big)).toBe(true);
      expect(result.digest).toBe((await tool.get('big')).digest);
      const ranged = relay.heads.filter((head) => /^range: bytes=\d+-$/im.test(head));
      expect(ranged).toHaveLength(1);
      expect(ranged[0]).toMatch(/^if-range: "/im);
      // It asked for the rest only: the offset is what had reached the disk, under the cut.
      const offset = Number(/^range: bytes=(\d+)-$/im.exec(ranged[0]!)![1]);
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(1 << 20);
      expect(progress.at(-1)).toEqual({
        phase: 'download',
        transferred: big.length,
        total: big.length,
      });
    } finally {
      relay.server.close();
    }
  });

  it('refuses data that does not match the digest and leaves nothing behind', async () => {
    // Same length, other bytes: the server serves it, and only the digest can tell.
    await writeFile(
      join(server.dataDir, 'artifacts', 'tampered', 'data', 'message.txt'),
      'INTACT\n',
    );
    const error = await tool.download('tampered', join(dir, 'tampered')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', status: 502 });
    expect(await readdir(dir)).not.toContain('tampered');
    expect((await readdir(dir)).filter((name) => name.startsWith('.kiln-download-'))).toEqual([]);
  });
});
