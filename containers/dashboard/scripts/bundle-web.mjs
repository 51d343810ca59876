// Bundles the Lit UI (src/web) into dist/public: index.html, assets/app.js (+ map), assets/app.css.
// Run after `tsc -b` (which type-checks src/web); esbuild itself only strips types.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/public`;

await mkdir(`${out}/assets`, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/web/main.ts'],
  outfile: 'dist/public/assets/app.js',
  tsconfig: 'src/web/tsconfig.json',
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  loader: { '.css': 'text' },
  logLevel: 'warning',
});
await Promise.all(
  ['index.html', 'app.css', 'favicon.svg'].map((file) =>
    copyFile(
      `${root}src/web/${file}`,
      file === 'index.html' ? `${out}/${file}` : `${out}/assets/${file}`,
    ),
  ),
);
