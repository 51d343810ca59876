import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../cli-error.js';
import { moduleFiles, type FileSet } from './container-files.js';
import { findProjectRoot, folderOf, readProjectLayout, relativePath } from './project-layout.js';
import { readme } from './readme-template.js';
import { runCommand } from './run-command.js';
import type { ScaffoldResult } from './scaffold-container.js';
import { isCompiled, ScaffoldKind, type ScaffoldSpec } from './scaffold-spec.js';
import {
  standaloneTestFile,
  standalonePackageJson,
  standaloneToolTest,
  standaloneTsconfig,
} from './standalone-templates.js';

/** Where to write a standalone project, and whether to install it. */
export interface ScaffoldStandaloneOptions {
  /** The project's folder: new, or empty. */
  out: string;
  /** Run `npm install` in it afterwards. @defaultValue true */
  install?: boolean;
  progress: NodeJS.WritableStream;
}

/** The Kiln checkout this `kiln` runs from: its packages are what the new project links to. */
function kilnCheckout(): Promise<string> {
  return findProjectRoot(dirname(fileURLToPath(import.meta.url)));
}

async function checkEmpty(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => []);
  if (entries.length > 0) throw usageError(`${folder} is not empty`);
}

async function standaloneFiles(spec: ScaffoldSpec, out: string): Promise<FileSet> {
  const kiln = await kilnCheckout();
  const layout = await readProjectLayout(kiln);
  const link = (name: string): string =>
    `file:${relativePath(out, join(kiln, folderOf(layout, name)))}`;
  const { devDependencies = {} } = JSON.parse(
    await readFile(join(kiln, 'package.json'), 'utf8'),
  ) as { devDependencies?: Record<string, string> };
  const compiled = isCompiled(spec);
  const files: FileSet = {
    'package.json': standalonePackageJson(spec, {
      kiln: { '@kiln/cli': link('@kiln/cli'), '@kiln/core': link('@kiln/core') },
      typescript: {
        '@types/node': devDependencies['@types/node'] ?? '^20.19.0',
        typescript: devDependencies['typescript'] ?? '~5.9.3',
      },
    }),
    '.gitignore': 'node_modules/\ndist/\n.kiln/\n',
    ...moduleFiles(spec),
    [standaloneTestFile(spec)]: standaloneToolTest(spec),
    'README.md': readme(spec, {
      commands: [
        [
          'npm install',
          `links Kiln from ${relativePath(out, kiln)}${compiled ? ', installs TypeScript' : ''}`,
        ],
        [
          'npm test',
          `${compiled ? 'compiles, then runs' : 'runs'} the test with Node's test runner`,
        ],
        ['npm start', 'serves the tool on http://127.0.0.1:8080 (kiln serve)'],
      ],
      guide: `The Kiln checkout's docs/writing-containers.md (in ${relativePath(out, kiln)}) tells the whole story.`,
    }),
  };
  if (compiled) files['tsconfig.json'] = standaloneTsconfig();
  return files;
}

/**
 * Writes a tool in a project of its own at `options.out`, outside any Kiln project: its
 * `package.json` links `@kiln/core` and `@kiln/cli` from the Kiln checkout this command runs
 * from (`file:` dependencies, so the checkout must stay where it is and be built).
 */
export async function scaffoldStandalone(
  spec: ScaffoldSpec,
  options: ScaffoldStandaloneOptions,
): Promise<ScaffoldResult> {
  if (spec.kind !== ScaffoldKind.Tool)
    throw usageError(
      '--out makes a project for one tool; a pipeline lives in a Kiln project (kiln new pipeline there)',
    );
  const out = resolve(options.out);
  await checkEmpty(out);
  const files = await standaloneFiles(spec, out);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), content, { flag: 'wx' });
  }
  if (options.install ?? true)
    await runCommand('npm', ['install', '--no-audit', '--no-fund'], out, options.progress);
  return { root: out, files: Object.keys(files) };
}
