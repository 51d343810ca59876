import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * One fenced block of the user docs (README.md and docs/*.md), with the marker comment on the
 * line before it: `<!-- example: <id> -->` for a block a test runs (the test names the id), or
 * `<!-- shown: <why> -->` for one no test can run as it is (a Docker command, an output sample).
 */
export interface DocBlock {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** The id of an `example:` marker. */
  id: string | undefined;
  /** The reason of a `shown:` marker. */
  shown: string | undefined;
}

/** The pages whose blocks are checked: the README and every page of docs/. */
async function docPages(): Promise<string[]> {
  const pages = (await readdir(join(ROOT, 'docs'))).filter((file) => file.endsWith('.md'));
  return ['README.md', ...pages.sort().map((page) => `docs/${page}`)];
}

function blocksOf(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line === '```');
    // The marker is the nearest non-blank line above the fence.
    let above = i - 1;
    while (above >= 0 && lines[above]!.trim() === '') above -= 1;
    const marker = /^<!-- (example|shown): (.+?) -->$/.exec(lines[above] ?? '');
    blocks.push({
      file,
      line: i + 1,
      lang: open[1] ?? '',
      code: `${lines.slice(i + 1, end).join('\n')}\n`,
      id: marker?.[1] === 'example' ? marker[2] : undefined,
      shown: marker?.[1] === 'shown' ? marker[2] : undefined,
    });
    i = end;
  }
  return blocks;
}

/** Every fenced block of the user docs. */
export async function docBlocks(): Promise<DocBlock[]> {
  const blocks: DocBlock[] = [];
  for (const file of await docPages())
    blocks.push(...blocksOf(file, await readFile(join(ROOT, file), 'utf8')));
  return blocks;
}

/** The block marked `<!-- example: <id> -->`. */
export async function docExample(id: string): Promise<DocBlock> {
  const block = (await docBlocks()).find((candidate) => candidate.id === id);
  if (!block) throw new Error(`no doc block is marked <!-- example: ${id} -->`);
  return block;
}

/**
 * The commands of a shell block, one per entry: continuation lines joined, comment lines and
 * blank lines dropped (a command's trailing comment stays: the shell ignores it).
 */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
