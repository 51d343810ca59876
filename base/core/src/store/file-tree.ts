import type { DataFileEntry } from '@kiln/api';
import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Hard-links the listed files of one folder into another (copies across file systems). */
export async function linkTree(
  fromRoot: string,
  toRoot: string,
  files: readonly DataFileEntry[],
): Promise<void> {
  const folders = new Set([toRoot, ...files.map((file) => dirname(join(toRoot, file.path)))]);
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await Promise.all(
    files.map((file) => {
      const from = join(fromRoot, file.path);
      const to = join(toRoot, file.path);
      return link(from, to).catch(() => copyFile(from, to));
    }),
  );
}

/** Copies the files of a flat folder (metrics) into another; a missing source copies nothing. */
export async function copyTree(fromRoot: string, toRoot: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(fromRoot);
  } catch {
    return;
  }
  await mkdir(toRoot, { recursive: true });
  await Promise.all(entries.map((entry) => copyFile(join(fromRoot, entry), join(toRoot, entry))));
}
