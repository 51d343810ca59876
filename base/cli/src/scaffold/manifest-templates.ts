import { isCompiled, moduleFile, ScaffoldKind, type ScaffoldSpec } from './scaffold-spec.js';

/** The version every workspace of the project has (`@kiln/*` depend on each other exactly). */
const KILN_VERSION = '0.1.0';

/** What a container's module imports: `@kiln/core` for a tool, `@kiln/pipeline` for a pipeline. */
export function moduleDependency(spec: Pick<ScaffoldSpec, 'kind'>): string {
  return spec.kind === ScaffoldKind.Pipeline ? '@kiln/pipeline' : '@kiln/core';
}

/**
 * `package.json` of a container inside a Kiln project. A TypeScript container builds itself
 * (`"build": "tsc -b"`): the root's `npm run build` runs every workspace's build script, so the
 * new workspace needs no entry in the root tsconfig.json.
 */
export function packageJson(spec: ScaffoldSpec): string {
  const module = moduleFile(spec);
  const types = module.replace(/\.js$/, '.d.ts');
  const manifest = {
    name: `@kiln/${spec.name}`,
    version: KILN_VERSION,
    private: true,
    type: 'module',
    description: spec.description,
    exports: {
      '.': isCompiled(spec) ? { types: `./${types}`, default: `./${module}` } : `./${module}`,
    },
    ...(isCompiled(spec) ? { scripts: { build: 'tsc -b' } } : {}),
    dependencies: { [moduleDependency(spec)]: KILN_VERSION },
    // The pipeline's test serves its steps with @kiln/core, which the module itself never imports.
    ...(spec.kind === ScaffoldKind.Pipeline
      ? { devDependencies: { '@kiln/core': KILN_VERSION } }
      : {}),
  };
  // npm's own layout, which Prettier keeps for package.json.
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `tsconfig.json` of a TypeScript container: `references` are the workspaces it imports. */
export function tsconfigJson(references: readonly string[]): string {
  const entries = references.map((path) => `    { "path": "${path}" }`).join(',\n');
  return `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"],
  "references": [
${entries}
  ]
}
`;
}
