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
 * The commands of a shell block, one per entry: continuation lines joined, a quoted string that
 * spans lines (a JSON body) kept whole, comment lines and blank lines dropped (a command's
 * trailing comment stays: the shell ignores it).
 */
export function shellCommands(code: string): string[] {
  const commands: string[] = [];
  let open = '';
  for (const line of code.replace(/\\\n\s*/g, '').split('\n')) {
    if (open !== '') {
      open += `\n${line}`;
    } else {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      open = trimmed;
    }
    if (inQuotes(open)) continue;
    commands.push(open.trimEnd());
    open = '';
  }
  return commands;
}

/** Whether a shell command ends inside a quoted string (a `#` comment's quotes do not count). */
function inQuotes(command: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < command.length; i += 1) {
    const char = command[i]!;
    // A backslash escapes the next character, except inside single quotes.
    if (char === '\\' && quote !== "'") i += 1;
    else if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(command[i - 1]!))) {
      // A comment runs to the end of its line.
      const end = command.indexOf('\n', i);
      if (end === -1) return false;
      i = end;
    }
  }
  return quote !== undefined;
}
