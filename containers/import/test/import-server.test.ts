import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { encodeIdx, type DatasetManifest } from '@kiln/fashion-mnist';
import {
  HttpStatusError,
  createArtifact,
  createArtifactWithFiles,
  getJson,
  startTool,
  waitForArtifact,
  writeTinyFashionMnist,
  type ToolHandle,
} from '@kiln/fashion-mnist/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOOL = fileURLToPath(new URL('../dist/tool.js', import.meta.url));

describe('import tool over HTTP', () => {
  let tool: ToolHandle;
  let dir: string;
  let files: Record<string, string>;
  let fileServer: Server;
  let fileServerUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-import-test-'));
    files = await writeTinyFashionMnist(join(dir, 'good'), { train: 40, test: 20 });
    fileServer = createServer((req, res) => {
      const name = (req.url ?? '/').slice(1);
      if (name.includes('/') || name !== basename(name)) return void res.writeHead(404).end();
      const path = join(dir, 'good', name);
      const stream = createReadStream(path);
      stream.on('error', () => res.writeHead(404).end());
      stream.pipe(res);
    });
    await new Promise<void>((done) => fileServer.listen(0, '127.0.0.1', done));
    fileServerUrl = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}/`;
    tool = await startTool(TOOL);
  });

  afterAll(async () => {
    await tool?.close();
    await new Promise((done) => fileServer?.close(done));
    await rm(dir, { recursive: true, force: true });
  });

  async function build(name: string, parameters: Record<string, unknown>) {
    await createArtifact(tool.url, { name, parameters });
    return waitForArtifact(tool.url, name);
  }

  async function badFiles(name: string, mutate: (role: string, bytes: Buffer) => Buffer) {
    const target = join(dir, name);
    const paths: Record<string, string> = {};
    await rm(target, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(target, { recursive: true }));
    for (const [role, path] of Object.entries(files)) {
      paths[role] = join(target, `${role}.idx`);
      await writeFile(paths[role], mutate(role, gunzipSync(await readFile(path))));
    }
    return paths;
  }

  it('imports a folder of gzipped IDX files into uint8 tensors and a manifest', async () => {
    const record = await build('from-path', { source: 'path', path: join(dir, 'good') });
    expect(record.status).toBe('completed');
    expect(record.files.map((f) => f.path).sort()).toEqual([
      'manifest.json',
      'test-images.u8',
      'test-labels.u8',
      'train-images.u8',
      'train-labels.u8',
    ]);
    const manifest = await getJson<DatasetManifest>(
      `${tool.url}/artifacts/from-path/data/manifest.json`,
    );
    expect(manifest).toMatchObject({
      format: 'kiln-fashion-mnist/v1',
      stage: 'import',
      imageShape: [28, 28],
    });
    expect(manifest.sets['train']).toMatchObject({
      count: 40,
      classCounts: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
    });
    expect(record.files.find((f) => f.path === 'test-images.u8')?.size).toBe(20 * 28 * 28);
    const pixels = Buffer.from(
      await (await fetch(`${tool.url}/artifacts/from-path/data/train-images.u8`)).arrayBuffer(),
    );
    const original = gunzipSync(await readFile(files['train-images'] as string)).subarray(16);
    expect(Buffer.compare(pixels, original)).toBe(0);
  });

  it('imports uploaded files (not gzipped) and keeps only the first N images', async () => {
    const uploads: Record<string, Uint8Array> = {};
    for (const [role, path] of Object.entries(files))
      uploads[role] = gunzipSync(await readFile(path));
    await createArtifactWithFiles(
      tool.url,
      { name: 'uploaded', parameters: { source: 'upload', trainLimit: 10 } },
      uploads,
    );
    const record = await waitForArtifact(tool.url, 'uploaded');
    expect(record.status).toBe('completed');
    const manifest = await getJson<DatasetManifest>(
      `${tool.url}/artifacts/uploaded/data/manifest.json`,
    );
    expect(manifest.sets['train']?.count).toBe(10);
    expect(manifest.sets['test']?.count).toBe(20);
    expect(manifest.provenance).toMatchObject({
      source: 'upload',
      sourceCounts: { train: 40, test: 20 },
    });
  });

  it('imports from a base URL', async () => {
    const record = await build('from-url', { source: 'url', url: fileServerUrl });
    expect(record.status).toBe('completed');
    const manifest = await getJson<DatasetManifest>(
      `${tool.url}/artifacts/from-url/data/manifest.json`,
    );
    expect(manifest.sets['test']?.count).toBe(20);
  });

  it('imports the bundled subset', async () => {
    const record = await build('bundled', { source: 'bundled' });
    expect(record.status).toBe('completed');
    const manifest = await getJson<DatasetManifest>(
      `${tool.url}/artifacts/bundled/data/manifest.json`,
    );
    expect(manifest.sets['train']?.count).toBe(4000);
    expect(manifest.sets['test']?.classCounts).toEqual(new Array(10).fill(100));
  });

  it('fails a truncated IDX file with the sizes in the error', async () => {
    const paths = await badFiles('truncated', (role, bytes) =>
      role === 'train-images' ? bytes.subarray(0, bytes.length - 100) : bytes,
    );
    const record = await build('truncated', { source: 'path', files: paths });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /train-images: truncated IDX file: its header declares 40x28x28 uint8 \(31360 bytes of data\) but only 31260 bytes follow/,
    );
  });

  it('fails a wrong magic number', async () => {
    const paths = await badFiles('magic', (role, bytes) => {
      if (role === 'test-labels') bytes.writeUInt32BE(0x00000901, 0);
      return bytes;
    });
    const record = await build('magic', { source: 'path', files: paths });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /test-labels: expected a label file \(idx1-ubyte: one dimension of unsigned bytes\), got int8 20/,
    );
    const paths2 = await badFiles('magic2', (role, bytes) =>
      role === 'train-images' ? Buffer.concat([Buffer.from('PK'), bytes.subarray(2)]) : bytes,
    );
    const record2 = await build('magic2', { source: 'path', files: paths2 });
    expect(record2.error).toMatch(/train-images: not an IDX file \(wrong magic number 0x504b0803/);
  });

  it('fails when image and label counts differ', async () => {
    const paths = await badFiles('mismatch', (role, bytes) =>
      role === 'train-labels' ? encodeIdx([39], bytes.subarray(8, 8 + 39)) : bytes,
    );
    const record = await build('mismatch', { source: 'path', files: paths });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/train-images holds 40 images but train-labels holds 39 labels/);
  });

  it('fails a truncated gzip archive', async () => {
    const target = join(dir, 'gz');
    await import('node:fs/promises').then((fs) => fs.mkdir(target, { recursive: true }));
    const paths: Record<string, string> = { ...files };
    const gz = await readFile(files['test-images'] as string);
    paths['test-images'] = join(target, 'test-images.gz');
    await writeFile(paths['test-images'], gz.subarray(0, gz.length - 30));
    const record = await build('bad-gzip', { source: 'path', files: paths });
    expect(record.error).toMatch(/test-images: corrupt or truncated gzip archive/);
  });

  it('fails an upload without all four files, and a missing URL', async () => {
    const uploads = { 'train-images': gunzipSync(await readFile(files['train-images'] as string)) };
    await createArtifactWithFiles(
      tool.url,
      { name: 'partial', parameters: { source: 'upload' } },
      uploads,
    );
    const record = await waitForArtifact(tool.url, 'partial');
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/missing: train-labels, test-images, test-labels/);
    const missing = await build('missing-url', { source: 'url', url: `${fileServerUrl}nowhere/` });
    expect(missing.error).toMatch(/HTTP 404/);
  });

  it('refuses source "path" without a path at create time (422)', async () => {
    const error = await createArtifact(tool.url, { parameters: { source: 'path' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(422);
  });
});
