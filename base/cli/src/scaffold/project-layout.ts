import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { usageError } from '../cli-error.js';

/** What the scaffold reads of a workspace's `package.json`. */
interface WorkspaceManifest {
  name: string;
  dependencies?: Record<string, string>;
}

/** The npm workspaces of a Kiln project, by package name. */
export interface ProjectLayout {
  /** The folder holding the root `package.json` and `docker-compose.yml`. */
  root: string;
  /** Package name → workspace folder, relative to the root with `/` (`@kiln/core` → `base/core`). */
  folders: ReadonlyMap<string, string>;
  /** Package name → the `@kiln/*` packages it depends on at run time. */
  kilnDependencies: ReadonlyMap<string, readonly string[]>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** True when `folder/package.json` lists `containers/*` among its workspaces. */
async function isKilnProjectRoot(folder: string): Promise<boolean> {
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) return false;
  const { workspaces } = await readJson<{ workspaces?: unknown }>(manifest);
  return Array.isArray(workspaces) && workspaces.includes('containers/*');
}

/**
 * The Kiln project `from` is in: the nearest folder above it whose `package.json` has the
 * `containers/*` workspace, as npm finds a workspace root.
 */
export async function findProjectRoot(from: string): Promise<string> {
  for (let folder = resolve(from); ; folder = dirname(folder)) {
    if (await isKilnProjectRoot(folder)) return folder;
    if (dirname(folder) === folder) {
      throw usageError(
        `${from} is not inside a Kiln project (no package.json with a containers/* workspace above it); ` +
          'give --out <dir> to make a project of its own',
      );
    }
  }
}

/** The folders a workspace pattern names: a folder, or every folder of `parent/*`. */
async function expandPattern(root: string, pattern: string): Promise<string[]> {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  const entries = await readdir(join(root, parent), { withFileTypes: true }).catch(() => []);
  // A linked folder counts as npm counts it (readProjectLayout keeps those with a package.json).
  return entries
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
    .map((entry) => `${parent}/${entry.name}`);
}

/** Reads the workspaces of the project at `root`. */
export async function readProjectLayout(root: string): Promise<ProjectLayout> {
  const { workspaces = [] } = await readJson<{ workspaces?: string[] }>(join(root, 'package.json'));
  const folders = new Map<string, string>();
  const kilnDependencies = new Map<string, string[]>();
  for (const pattern of workspaces) {
    for (const folder of await expandPattern(root, pattern)) {
      const path = join(root, folder, 'package.json');
      if (!existsSync(path)) continue;
      const manifest = await readJson<WorkspaceManifest>(path);
      folders.set(manifest.name, folder);
      kilnDependencies.set(
        manifest.name,
        Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@kiln/')),
      );
    }
  }
  return { root, folders, kilnDependencies };
}

/** The workspace folder of a package; a usage error when the project has none. */
export function folderOf(layout: ProjectLayout, name: string): string {
  const folder = layout.folders.get(name);
  if (!folder) throw usageError(`the project has no workspace named ${name}`);
  return folder;
}

/**
 * The workspace folders `packages` need at run time, dependencies first: what a Docker image of
 * them must hold (each Dockerfile's `WORKSPACES`).
 */
export function runtimeClosure(layout: ProjectLayout, packages: readonly string[]): string[] {
  const ordered: string[] = [];
  const visit = (name: string): void => {
    const folder = folderOf(layout, name);
    if (ordered.includes(folder)) return;
    for (const dependency of layout.kilnDependencies.get(name) ?? []) visit(dependency);
    ordered.push(folder);
  };
  packages.forEach(visit);
  return ordered;
}

/** `from` → `to` as a relative path with `/`, for tsconfig references and `file:` links. */
export function relativePath(from: string, to: string): string {
  return relative(from, to).split('\\').join('/') || '.';
}
