#!/usr/bin/env node
// The npm registry this project is developed against serves only some platforms' builds of
// packages with native binaries: rollup (vitest's bundler), and the napi-rs bindings of
// oxc-parser (knip) and unrs-resolver (eslint-plugin-import-x). The others answer 404, so
// `npm install` here leaves them out of package-lock.json, and `npm ci` then refuses the lock as
// "Missing: @rollup/rollup-… from lock file". This script writes the entries npm writes with a
// complete registry: each names its os, cpu and libc, so npm skips it on other platforms and
// fetches it on its own. Run it after any `npm install` that changed the lock:
// `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);

/** Per-platform packages: `@rollup/rollup-linux-x64-gnu`, `@oxc-parser/binding-darwin-arm64`, … */
const PLATFORM_PACKAGE =
  /^@[^/]+\/(?:rollup-|binding-|resolver-binding-)([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const OSES = new Set([
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
  'wasm32',
]);

/** `linux-arm64-musl` → its os, cpu and libc; `wasm32-wasi` runs anywhere wasm does. */
function platformOf(platform) {
  const [os, cpu, abi] = platform.split('-');
  if (os === 'wasm32') return { cpu: ['wasm32'] };
  const result = { os: [os], cpu: [cpu] };
  if (os === 'linux' && abi) result.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
  return result;
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.includes('node_modules/')) continue;
  const scope = path.slice(0, path.lastIndexOf('node_modules/'));
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const platform = PLATFORM_PACKAGE.exec(name)?.[1];
    if (!platform || !OSES.has(platform.split('-')[0])) continue;
    // npm looks for the package beside its parent, then in each enclosing node_modules.
    const key = `${scope}node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(platform);
    lock.packages[key] = {
      version,
      cpu,
      dev: entry.dev,
      ...(libc ? { libc } : {}),
      license: 'MIT',
      optional: true,
      ...(os ? { os } : {}),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, 'en')),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lockfile: added ${added} platform entries\n`);
