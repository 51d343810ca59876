// ESLint flat config for every workspace, run with knip and `madge --circular` by `npm run lint`
// (docs/contributing.md). Runs after `npm run build`: the type-aware rules see other packages
// through their built declarations, as their users do.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts'];
const JS = ['**/*.js', '**/*.mjs', '**/*.cjs'];

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', '.kiln/', 'test-output/', 'coverage/']),

  {
    files: [...TS, ...JS],
    extends: [js.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: { globals: globals.node },
    settings: {
      // Follow imports into .ts files too (the default is .js only), parsed as TypeScript.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Other workspaces resolve to their built dist/, as they do for users: external, like npm's.
      'import-x/external-module-folders': ['node_modules', 'dist'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.eslint.json', 'containers/dashboard/src/web/tsconfig.eslint.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // `let` stays for a variable a closure may read before its one assignment (const would throw).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Import only a package's public entry (its `exports` map), never its src/ or dist/.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kiln/*/src', '@kiln/*/src/**', '@kiln/*/dist', '@kiln/*/dist/**'],
              message: "Import the package's public entry ('@kiln/x'), not its src/ or dist/.",
            },
            {
              group: [
                '**/base/*/src/**',
                '**/base/*/dist/**',
                '**/components/*/src/**',
                '**/components/*/dist/**',
                '**/containers/*/src/**',
                '**/containers/*/dist/**',
              ],
              message:
                "Import another package through its name ('@kiln/x'), not a relative path into it.",
            },
          ],
        },
      ],
      // Cycles within a package; tsc -b's project references already rule them out between packages.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      // Relative imports that leave the package: go through the other package's name instead.
      'import-x/no-relative-packages': 'error',
      // Tests leave .only behind; it silently skips the rest of a suite.
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].map((object) => ({
          object,
          property: 'only',
          message: 'Remove .only before committing.',
        })),
      ],
    },
  },

  {
    files: TS,
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        project: ['tsconfig.eslint.json', 'containers/dashboard/src/web/tsconfig.eslint.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  // Library code logs through the injected Logger (docs/contributing.md).
  {
    files: ['base/*/src/**', 'components/*/src/**', 'containers/*/src/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Output is the point: the kiln CLI, the launcher that relays its services' output, and each
    // container's main.ts, which announces where it listens.
    files: ['base/cli/src/**', 'base/launcher/src/**', 'containers/*/src/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
