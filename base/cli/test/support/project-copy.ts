import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this test runs in. */
export const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url));

/** The root files a project's build, lint and test read; copied, so a test may change them. */
const ROOT_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'tsconfig.json',
  'tsconfig.eslint.json',
  'eslint.config.mjs',
  '.prettierrc.json',
  '.prettierignore',
  '.gitignore',
  'knip.json',
  'vitest.config.ts',
  'docker-compose.yml',
  'docker-compose-build.yml',
];

/** Folders used as they are: linked, never written through. */
const LINKED = ['node_modules', 'base', 'components', 'schemas'];

/** This process's environment without Vitest's own variables, for a Vitest run of its own. */
function outsideVitest(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST'))),
    NO_COLOR: '1',
  };
}

/** A Kiln project in a temporary folder that a test may add containers to. */
export interface ProjectCopy {
  root: string;
  /** Runs a command in the copy; resolves with its output, rejects with it on failure. */
  run(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/**
 * Copies this repository's root files into `<parent>/kiln` (a new temporary folder by default) and links its packages, node
 * modules and existing containers, so that `kiln new` can add containers and edit
 * docker-compose.yml there without touching the repository (and without a second install).
 */
export async function createProjectCopy(options: { parent?: string } = {}): Promise<ProjectCopy> {
  // In a folder of its own, so that a sibling (`../my-tool`) is the test's alone.
  const parent = options.parent ?? (await mkdtemp(join(tmpdir(), 'kiln-project-')));
  const root = join(parent, 'kiln');
  await mkdir(root);
  for (const file of ROOT_FILES) await copyFile(join(REPOSITORY, file), join(root, file));
  for (const folder of LINKED) await symlink(join(REPOSITORY, folder), join(root, folder));
  await mkdir(join(root, 'containers'));
  for (const entry of await readdir(join(REPOSITORY, 'containers')))
    await symlink(join(REPOSITORY, 'containers', entry), join(root, 'containers', entry));
  return {
    root,
    run: (command, args) =>
      new Promise((done, fail) => {
        execFile(
          command,
          args,
          { cwd: root, env: outsideVitest(), timeout: 120_000, maxBuffer: 16 << 20 },
          (error, stdout, stderr) =>
            error
              ? fail(
                  new Error(`${command} ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`),
                )
              : done({ stdout, stderr }),
        );
      }),
    remove: () => rm(parent, { recursive: true, force: true }),
  };
}
