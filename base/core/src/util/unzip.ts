import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

/**
 * Extracts a zip file into `destination`, streaming each entry. Refuses entries whose names
 * would land outside the destination (zip-slip).
 */
export async function unzipFile(zipPath: string, destination: string): Promise<void> {
  const root = resolve(destination);
  await mkdir(root, { recursive: true });
  const zip = await new Promise<yauzl.ZipFile>((done, fail) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (error, file) =>
      error ? fail(error) : done(file),
    ),
  );
  await new Promise<void>((done, fail) => {
    zip.on('error', fail);
    zip.on('end', done);
    zip.on('entry', (entry: yauzl.Entry) => {
      extractEntry(zip, entry, root).then(
        () => zip.readEntry(),
        (error: unknown) => {
          zip.close();
          fail(error);
        },
      );
    });
    zip.readEntry();
  });
}

async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, root: string): Promise<void> {
  const target = resolve(join(root, entry.fileName));
  if (!target.startsWith(root + sep) || entry.fileName.includes('\\')) {
    throw new Error(`zip entry '${entry.fileName}' leaves the destination folder`);
  }
  if (entry.fileName.endsWith('/')) {
    await mkdir(target, { recursive: true });
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  const stream = await new Promise<NodeJS.ReadableStream>((done, fail) =>
    zip.openReadStream(entry, (error, readable) => (error ? fail(error) : done(readable))),
  );
  await pipeline(stream, createWriteStream(target));
}
