import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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
});
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
