#!/usr/bin/env node
// Rehearses a container's Docker image on this machine, without Docker: lays out the runtime
// image's /app as its Dockerfile does (production dependencies of the image's workspaces from
// the lockfile, then each workspace's compiled files without src/, test/ or bench/), starts the
// Dockerfile's CMD with its ENV in that folder and waits for its HEALTHCHECK path to answer.
// It catches what a Compose-schema check cannot: a runtime import missing from the production
// dependencies, a wrong entry path, a workspace left out of WORKSPACES.
//
//   npm run build && node scripts/rehearse-image.mjs [container ...]     (default: all of them)
//
// Not covered: the base images themselves, apt packages, the non-root user, and the train
// image's @tensorflow/tfjs-node-gpu (it downloads libtensorflow while installing, which fails
// without internet; the rehearsal runs train on the backends the lockfile has).
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPILED_ONLY = ['src', 'test', 'bench', 'node_modules'];

/** What the rehearsal needs from a Dockerfile: its workspaces, ENV, health path and CMD. */
function readDockerfile(text) {
  const joined = text.replace(/\\\n/g, ' ');
  const workspaces = /^ARG WORKSPACES="([^"]*)"/m.exec(joined)?.[1]?.split(/\s+/).filter(Boolean);
  const cmd = [...joined.matchAll(/^CMD (\[.*\])\s*$/gm)].at(-1)?.[1];
  const env = Object.fromEntries(
    [...joined.matchAll(/^ENV (.*)$/gm)].flatMap((match) =>
      match[1].split(/\s+/).map((pair) => pair.split('=')),
    ),
  );
  const health = /HEALTHCHECK[^\n]*?\/(health\w*)/.exec(joined)?.[1];
  if (!workspaces || !cmd || !health) throw new Error('no WORKSPACES, CMD or HEALTHCHECK found');
  return { workspaces, cmd: JSON.parse(cmd), env, health };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The manifests stage: every package.json of the repository and the lockfile. */
async function copyManifests(target) {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files: ${listed.stderr}`);
  const manifests = listed.stdout
    .split('\n')
    .filter((path) => path === 'package-lock.json' || /(^|\/)package\.json$/.test(path));
  for (const path of manifests) await cp(join(ROOT, path), join(target, path));
}

/** The build stage's output: each workspace's files, compiled, without sources or tests. */
async function copyCompiled(workspaces, target) {
  for (const workspace of workspaces) {
    const from = join(ROOT, workspace);
    for (const entry of await readdir(from)) {
      if (COMPILED_ONLY.includes(entry) || /^tsconfig.*\.json$|\.tsbuildinfo$/.test(entry))
        continue;
      await cp(join(from, entry), join(target, workspace, entry), { recursive: true });
    }
  }
}

async function waitHealthy(url, child, log) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${log()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer in 30 s:\n${log()}`);
}

async function rehearse(container) {
  const dockerfile = readDockerfile(
    await readFile(join(ROOT, 'containers', container, 'Dockerfile'), 'utf8'),
  );
  const app = await mkdtemp(join(tmpdir(), `kiln-image-${container}-`));
  try {
    await copyManifests(app);
    const install = spawnSync(
      'npm',
      [
        'ci',
        '--omit=dev',
        '--no-audit',
        '--no-fund',
        ...dockerfile.workspaces.map((ws) => `--workspace=${ws}`),
      ],
      { cwd: app, encoding: 'utf8' },
    );
    if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
    await copyCompiled(dockerfile.workspaces, app);
    const port = await freePort();
    await mkdir(join(app, 'data'));
    const [command, ...args] = dockerfile.cmd;
    const child = spawn(command === 'node' ? process.execPath : command, args, {
      cwd: app,
      env: {
        PATH: process.env.PATH,
        ...dockerfile.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(app, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      await waitHealthy(`http://127.0.0.1:${port}/${dockerfile.health}`, child, () => output);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', resolve),
      );
    }
    const packages = (await readdir(join(app, 'node_modules'))).length;
    return `${container}: healthy on /${dockerfile.health} (${packages} top-level packages in node_modules)`;
  } finally {
    await rm(app, { recursive: true, force: true });
  }
}

const all = (await readdir(join(ROOT, 'containers'), { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const chosen = process.argv.length > 2 ? process.argv.slice(2) : all;
let failed = 0;
for (const container of chosen) {
  try {
    process.stdout.write(`${await rehearse(container)}\n`);
  } catch (error) {
    failed += 1;
    process.stdout.write(`${container}: FAILED ${error.message}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
