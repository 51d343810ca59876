#!/usr/bin/env node
// The npm registry this project is developed against serves only some platforms' builds of
// rollup (vitest's bundler): the others answer 404, so `npm install` here leaves them out of
// package-lock.json, and `npm ci` then refuses the lock as "Missing: @rollup/rollup-… from lock
// file". This script writes the entries npm writes with a complete registry: each names its
// os, cpu and libc, so npm skips it on other platforms and fetches it on its own. Run it after
// any `npm install` that changed the lock: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);

/** `@rollup/rollup-linux-arm64-musl` → its os, cpu and libc. */
function platformOf(name) {
  const [os, cpu, abi] = name.replace('@rollup/rollup-', '').split('-');
  const platform = { os: [os === 'win32' ? 'win32' : os], cpu: [cpu === 'arm' ? 'arm' : cpu] };
  if (os === 'linux' && abi) platform.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
  return platform;
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!/(^|\/)node_modules\/rollup$/.test(path)) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `${path.slice(0, -'rollup'.length)}${name}`;
    if (!name.startsWith('@rollup/') || lock.packages[key]) continue;
    const { os, cpu, libc } = platformOf(name);
    lock.packages[key] = { version, cpu, dev: entry.dev, ...(libc ? { libc } : {}), license: 'MIT', optional: true, os };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, 'en')));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lockfile: added ${added} platform entries\n`);
