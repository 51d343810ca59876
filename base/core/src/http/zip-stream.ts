import type { Response } from 'express';

/** A file to put in a zip: its absolute path and its name inside the zip. */
export interface ZipEntry {
  absolute: string;
  name: string;
}

/**
 * Streams a zip of the given files as the response, without holding them in memory. Fast
 * deflate: artifacts are often already-compact binary data.
 */
export async function sendZip(
  res: Response,
  entries: readonly ZipEntry[],
  downloadName: string,
): Promise<void> {
  const { default: archiver } = await import('archiver');
  const archive = archiver('zip', { zlib: { level: 1 } });
  res.status(200).type('application/zip').attachment(downloadName);
  const finished = new Promise<void>((done, fail) => {
    archive.once('error', fail);
    res.once('close', done);
    res.once('finish', done);
  });
  archive.pipe(res);
  for (const entry of entries) archive.file(entry.absolute, { name: entry.name });
  await archive.finalize();
  await finished;
}
