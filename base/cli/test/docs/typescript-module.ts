import { execFile } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './doc-examples.js';

const run = promisify(execFile);

/**
 * Type-checks and runs a page's TypeScript as a reader's module of their own would be, in
 * `folder` (linked to this repository's packages); resolves with what it printed.
 */
export async function runTypeScript(folder: string, code: string): Promise<string> {
  await symlink(join(ROOT, 'node_modules'), join(folder, 'node_modules'));
  await writeFile(join(folder, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(folder, 'example.ts'), code);
  await writeFile(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.base.json'),
      compilerOptions: {
        composite: false,
        declaration: false,
        declarationMap: false,
        types: ['node'],
        outDir: 'out',
      },
      files: ['example.ts'],
    }),
  );
  await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', folder]);
  const { stdout } = await run(process.execPath, [join(folder, 'out/example.js')], {
    cwd: folder,
    timeout: 170_000,
    maxBuffer: 64 << 20,
  });
  return stdout;
}
