import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPOSITORY } from './project-copy.js';

/**
 * What `npm install` gives a standalone TypeScript tool project (`kiln new tool --out`), linked
 * from this repository's install instead: TypeScript and Node's types come from the registry,
 * which tests do not reach.
 */
export async function linkStandaloneDependencies(project: string): Promise<void> {
  const modules = join(project, 'node_modules');
  await mkdir(join(modules, '@kiln'), { recursive: true });
  await mkdir(join(modules, '@types'), { recursive: true });
  await mkdir(join(modules, '.bin'), { recursive: true });
  for (const [name, from] of [
    ['@kiln/core', 'base/core'],
    ['@kiln/cli', 'base/cli'],
    ['typescript', 'node_modules/typescript'],
    ['@types/node', 'node_modules/@types/node'],
  ] as const)
    await symlink(join(REPOSITORY, from), join(modules, name));
  await symlink('../typescript/bin/tsc', join(modules, '.bin', 'tsc'));
  await symlink('../@kiln/cli/bin/kiln.js', join(modules, '.bin', 'kiln'));
}
