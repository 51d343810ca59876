import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docBlocks, ROOT } from './doc-examples.js';

// Every example of the user docs is run by a test: each fenced block of README.md and docs/*.md
// is marked `<!-- example: <id> -->` and a test under base/cli/test/ names that id (in a test
// file, or in a module of tests one imports, such as docs/serving-examples.ts), or it is marked
// `<!-- shown: <why> -->` (a diagram, an output sample, a Docker command) with the reason.
const TESTS = join(ROOT, 'base/cli/test');

async function testSources(): Promise<string> {
  const files = (await readdir(TESTS, { recursive: true })).filter((file) => file.endsWith('.ts'));
  const sources = await Promise.all(files.map((file) => readFile(join(TESTS, file), 'utf8')));
  return sources.join('\n');
}

/** Tracked files, as a fresh clone has them. */
function trackedFiles(pattern: string): string[] {
  return execFileSync('git', ['ls-files', pattern], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('the examples of the user docs', () => {
  it('are each marked as run by a test, or as shown only, with the reason', async () => {
    const unmarked = (await docBlocks())
      .filter((block) => block.id === undefined && block.shown === undefined)
      .map((block) => `${block.file}:${block.line}`);
    expect(unmarked).toEqual([]);
  });

  it('are each run by a test that names them, and no test names an example that is gone', async () => {
    const blocks = await docBlocks();
    const ids = blocks.flatMap((block) => (block.id ? [block.id] : []));
    expect(new Set(ids).size, 'an example id is used twice').toBe(ids.length);
    const sources = await testSources();
    const unclaimed = ids.filter((id) => !new RegExp(`['\` ,]${id}[':,\`]`).test(sources));
    expect(unclaimed).toEqual([]);
    const named = [...sources.matchAll(/docExample\('([\w-]+)'\)/g)].map(([, id]) => id);
    expect(named.filter((id) => !ids.includes(id!))).toEqual([]);
  });
});

describe('the pages of the repository', () => {
  it('send no reader to the engineers-only shared/ folder', () => {
    const leaks = trackedFiles('*')
      .filter((file) => file !== 'package-lock.json' && !file.endsWith('.png'))
      .filter((file) => /(^|[^\w/.])(shared\/)?(API|DESIGN|STYLE)\.md/.test(read(file)));
    expect(leaks).toEqual([]);
  });

  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const page of trackedFiles('*.md')) {
      for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const path = join(ROOT, dirname(page), target!.split('#')[0]!);
        if (!existsSync(path)) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}
