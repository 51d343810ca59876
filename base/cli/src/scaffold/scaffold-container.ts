import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { usageError } from '../cli-error.js';
import { addComposeService, type ComposeEntry } from './compose-entry.js';
import { containerFiles, type FileSet } from './container-files.js';
import { findProjectRoot, readProjectLayout } from './project-layout.js';
import { runCommand } from './run-command.js';
import { moduleFile, type ScaffoldSpec } from './scaffold-spec.js';

/** Where and how to scaffold inside a Kiln project. */
export interface ScaffoldContainerOptions {
  /** A folder inside the project; its root is found from here. */
  cwd: string;
  /**
   * Run `npm install` afterwards: it registers the new workspace in package-lock.json (which
   * `npm ci` needs) and, through the root's `prepare` script, builds it.
   * @defaultValue true
   */
  install?: boolean;
  /** Where progress lines go (npm's output among them). */
  progress: NodeJS.WritableStream;
}

/** What `kiln new` made. */
export interface ScaffoldResult {
  /** The project root. */
  root: string;
  /** Every file written or changed, relative to the root. */
  files: string[];
}

const COMPOSE_FILE = 'docker-compose.yml';

/** `serve <module>` of a compose service: the module it runs, relative to the root. */
function servedModule(service: unknown): string | undefined {
  const command = (service as { command?: unknown } | undefined)?.command;
  if (!Array.isArray(command)) return undefined;
  const index = command.indexOf('serve');
  return index >= 0 ? String(command[index + 1]) : undefined;
}

/** Each step's served module, checked against the compose file's services. */
function stepModules(spec: ScaffoldSpec, composeText: string): Map<string, string> {
  const services = (parseDocument(composeText).toJS() as { services?: Record<string, unknown> })
    .services;
  const modules = new Map<string, string>();
  for (const step of spec.steps) {
    if (step === spec.name) throw usageError(`the pipeline ${spec.name} cannot be its own step`);
    if (modules.has(step)) throw usageError(`the step ${step} is given twice`);
    const module = servedModule(services?.[step]);
    if (!module)
      throw usageError(`${COMPOSE_FILE} has no service ${step} serving a tool (kiln serve …)`);
    modules.set(step, module);
  }
  return modules;
}

/** The new container's service: one plain entry, whatever its kind (the topology does the rest). */
function composeEntry(spec: ScaffoldSpec): ComposeEntry {
  const folder = `containers/${spec.name}`;
  return {
    name: spec.name,
    dockerfile: `${folder}/Dockerfile`,
    command: ['node', 'base/cli/dist/main.js', 'serve', `${folder}/${moduleFile(spec)}`],
  };
}

async function writeFiles(folder: string, files: FileSet): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content, { flag: 'wx' });
  }
}

/**
 * Writes a new container into `containers/<name>` of the Kiln project around `options.cwd` and
 * adds its service to docker-compose.yml, the one file outside the folder it edits (npm's own
 * install then records the workspace in package-lock.json). What it writes builds, lints, tests
 * and serves as it is; the project's Prettier, when it has one, formats it.
 */
export async function scaffoldContainer(
  spec: ScaffoldSpec,
  options: ScaffoldContainerOptions,
): Promise<ScaffoldResult> {
  const root = await findProjectRoot(options.cwd);
  const layout = await readProjectLayout(root);
  const folder = `containers/${spec.name}`;
  if (existsSync(join(root, folder))) throw usageError(`${folder} already exists`);
  if (layout.folders.has(`@kiln/${spec.name}`))
    throw usageError(`the project already has a package named @kiln/${spec.name}`);
  const composeText = await readFile(join(root, COMPOSE_FILE), 'utf8');
  const files = containerFiles(spec, layout, stepModules(spec, composeText));
  const compose = addComposeService(composeText, composeEntry(spec));
  await writeFiles(join(root, folder), files);
  await writeFile(join(root, COMPOSE_FILE), compose);
  const written = [...Object.keys(files).map((path) => `${folder}/${path}`), COMPOSE_FILE];
  const prettier = join(root, 'node_modules', '.bin', 'prettier');
  if (existsSync(prettier))
    await runCommand(
      prettier,
      ['--write', '--log-level', 'warn', folder, COMPOSE_FILE],
      root,
      options.progress,
    );
  if (options.install ?? true)
    await runCommand('npm', ['install', '--no-audit', '--no-fund'], root, options.progress);
  return { root, files: written };
}
