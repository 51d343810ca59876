import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneErrorLine, runKiln } from './support/run-kiln.js';

// A tool in a project of its own, outside the repository (docs/writing-containers.md, "Outside
// the Kiln repository"): `kiln new tool --out` links it to this checkout with `file:`
// dependencies, so `npm install` needs nothing from the registry for a JavaScript tool. The
// TypeScript tool project is the page's own example, which test/docs/writing-containers.test.ts
// makes, tests and serves.
const run = promisify(execFile);
let outside: string;

beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'kiln-standalone-'));
});
afterAll(async () => rm(outside, { recursive: true, force: true }));

/** `kiln serve` in `cwd` on a free port; resolves with its URL and a stop function. */
async function serve(cwd: string, module: string): Promise<{ url: string; stop(): void }> {
  const child = spawn('npx', ['kiln', 'serve', module, '--port', '0', '--data', '.kiln/data'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((done, fail) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) done(match[1]);
    });
    child.once('exit', (code) => fail(new Error(`kiln serve exited with ${code}: ${output}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

describe('kiln new tool --out', () => {
  it('makes a JavaScript tool project that installs, tests and serves on its own', async () => {
    const project = join(outside, 'hello');
    const made = await runKiln(['new', 'tool', 'hello', '--lang', 'js', '--out', project]);
    expect(made, made.stderr).toMatchObject({ code: 0 });
    expect(made.stdout.trim().split('\n').sort()).toEqual(
      ['.gitignore', 'README.md', 'package.json', 'tool.js', 'tool.test.js'].sort(),
    );
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@kiln/core']).toMatch(/^file:(\.\.\/)+.*base\/core$/);
    const tested = await run('npm', ['test'], { cwd: project });
    expect(tested.stdout).toMatch(/# pass 2/);
    const server = await serve(project, 'tool.js');
    try {
      const created = await fetch(`${server.url}/artifacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'a', parameters: { who: 'outside' } }),
      });
      expect(created.status).toBe(202);
      await fetch(`${server.url}/artifacts/a/status?wait=30`);
      expect(await (await fetch(`${server.url}/artifacts/a/data`)).text()).toBe('hello outside\n');
    } finally {
      server.stop();
    }
  }, 120_000);

  it('refuses a pipeline, and a folder that is not empty', async () => {
    const pipeline = await runKiln(['new', 'pipeline', 'p', '--out', join(outside, 'p')]);
    expect(pipeline.code).toBe(2);
    expect(oneErrorLine(pipeline)).toMatch(/unknown option '--out'/);
    const taken = await runKiln(['new', 'tool', 'again', '--out', join(outside, 'hello')]);
    expect(taken.code).toBe(2);
    expect(oneErrorLine(taken)).toMatch(/is not empty/);
  });
});
