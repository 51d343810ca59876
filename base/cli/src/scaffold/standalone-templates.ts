import { isCompiled, moduleFile, ScaffoldLanguage, type ScaffoldSpec } from './scaffold-spec.js';

// A tool in a project of its own, outside the Kiln repository: it reaches Kiln's packages through
// `file:` dependencies on a Kiln checkout, and tests itself with Node's own runner, so that
// nothing beyond that checkout (and TypeScript, for a TypeScript tool) has to be installed.

/** What a standalone project takes from the Kiln checkout and from npm. */
export interface StandaloneDependencies {
  /** `@kiln/core` and `@kiln/cli` → `file:` specs relative to the project. */
  kiln: Readonly<Record<string, string>>;
  /** TypeScript and Node's types, at the versions the Kiln checkout uses. */
  typescript: Readonly<Record<string, string>>;
}

/** `package.json`: `npm test` builds (TypeScript) and tests; `npm start` serves the tool. */
export function standalonePackageJson(spec: ScaffoldSpec, deps: StandaloneDependencies): string {
  const compiled = isCompiled(spec);
  const manifest = {
    name: spec.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: spec.description,
    scripts: {
      ...(compiled ? { build: 'tsc' } : {}),
      test: compiled ? 'tsc && node --test dist/' : 'node --test',
      start: `kiln serve ${moduleFile(spec)}`,
    },
    dependencies: { ...deps.kiln },
    ...(compiled ? { devDependencies: { ...deps.typescript } } : {}),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `tsconfig.json` of a standalone TypeScript tool: the options Kiln's own code compiles with. */
export function standaloneTsconfig(): string {
  return `{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": true,
    "types": ["node"],
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"]
}
`;
}

/** The test, on `node:test`: builds an artifact, and sees a bad parameter refused. */
export function standaloneToolTest(spec: ScaffoldSpec): string {
  const compiled = isCompiled(spec);
  const module = compiled ? './tool.js' : `./${moduleFile(spec)}`;
  const typed = (annotation: string): string => (compiled ? annotation : '');
  return `import { startToolServer${compiled ? ', type RunningToolServer' : ''} } from '@kiln/core';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The module as \`kiln serve\` runs it${compiled ? ' (this test runs compiled, beside it)' : ''}.
const MODULE = fileURLToPath(new URL('${module}', import.meta.url));

describe('${spec.name}', () => {
  let dataDir${typed(': string')};
  let server${typed(': RunningToolServer')};
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), '${spec.name}-'));
    server = await startToolServer({ modulePath: MODULE, dataDir, port: 0 });
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const create = (body${typed(': unknown')}) =>
    fetch(\`\${server.url}/artifacts\`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('builds an artifact from its parameters', async () => {
    const created = await create({ name: 'twice', parameters: { who: 'Kiln', times: 2 } });
    assert.equal(created.status, 202);
    const status = await fetch(\`\${server.url}/artifacts/twice/status?wait=30\`);
    assert.equal(((await status.json())${typed(' as { status: string }')}).status, 'completed');
    const data = await fetch(\`\${server.url}/artifacts/twice/data\`);
    assert.equal(await data.text(), 'hello Kiln\\nhello Kiln\\n');
  });

  it('refuses parameters its schema does not allow', async () => {
    const refused = await create({ parameters: { times: 0 } });
    assert.equal(refused.status, 422);
    const problem = (await refused.json())${typed(' as { errors: { path: string }[] }')};
    assert.equal(problem.errors[0]${compiled ? '?' : ''}.path, '/times');
  });
});
`;
}

/** Where the test goes: beside the module, so that a TypeScript one compiles beside it too. */
export function standaloneTestFile(spec: ScaffoldSpec): string {
  return spec.lang === ScaffoldLanguage.TypeScript ? 'src/tool.test.ts' : 'tool.test.js';
}
