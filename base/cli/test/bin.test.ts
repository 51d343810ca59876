import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `npx kiln …` on a fresh clone: npm links a bin only if its file exists when it installs, so
// every bin must be a tracked file (dist/ is built afterwards, by the root's `prepare` script).
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

interface Manifest {
  name: string;
  bin?: string | Record<string, string>;
}

/** Every bin of every workspace: its name, the workspace folder and the file it names. */
async function workspaceBins(): Promise<{ name: string; folder: string; file: string }[]> {
  const bins = [];
  for (const parent of ['base', 'components', 'containers']) {
    for (const entry of await readdir(join(ROOT, parent))) {
      const folder = join(parent, entry);
      let manifest: Manifest;
      try {
        manifest = JSON.parse(await readFile(join(ROOT, folder, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      const bin =
        typeof manifest.bin === 'string'
          ? { [manifest.name.replace(/^@[^/]+\//, '')]: manifest.bin }
          : (manifest.bin ?? {});
      for (const [name, file] of Object.entries(bin)) bins.push({ name, folder, file });
    }
  }
  return bins;
}

describe('the kiln bin', () => {
  it('is declared by @kiln/cli', async () => {
    expect(await workspaceBins()).toContainEqual({
      name: 'kiln',
      folder: 'base/cli',
      file: './bin/kiln.js',
    });
  });

  it('names, for every workspace bin, a file git tracks, linked into node_modules/.bin', async () => {
    for (const { name, folder, file } of await workspaceBins()) {
      const path = join(folder, file);
      const tracked = spawnSync('git', ['ls-files', '--error-unmatch', path], { cwd: ROOT });
      expect(tracked.status, `${path} is not tracked: a fresh clone would lack it`).toBe(0);
      expect(await realpath(join(ROOT, 'node_modules', '.bin', name)), name).toBe(
        await realpath(join(ROOT, path)),
      );
    }
  });

  it('runs the CLI through npx from the repository root', async () => {
    const { stdout } = await run('npx', ['--no-install', 'kiln', '--help'], { cwd: ROOT });
    expect(stdout).toContain('Usage: kiln');
  });

  it('says in one line how to build when dist/ is missing', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'kiln-bin-'));
    try {
      await cp(join(ROOT, 'base/cli/bin'), join(copy, 'bin'), { recursive: true });
      const failed = await run(process.execPath, [join(copy, 'bin/kiln.js'), '--help']).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toBe(
        'kiln: the command line is not built yet; run `npm run build` in the Kiln checkout\n',
      );
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("builds at install time, except where only the manifests are (Docker's dependency layers)", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const prepare = manifest.scripts['prepare']!;
    expect(prepare).toMatch(/npm run build$/);
    const manifestsOnly = await mkdtemp(join(tmpdir(), 'kiln-manifests-'));
    try {
      // Without sources the guard short-cuts: nothing is built, and the install goes on.
      const { stdout, stderr } = await run('sh', ['-c', prepare], { cwd: manifestsOnly });
      expect(stdout + stderr).toBe('');
    } finally {
      await rm(manifestsOnly, { recursive: true, force: true });
    }
  });
});
