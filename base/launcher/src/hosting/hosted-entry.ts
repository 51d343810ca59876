import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A service the launcher can run inside its own process. */
export interface HostedEntry {
  /** The module whose `startService` starts it (absolute path). */
  module: string;
  /** The command's arguments after the words the mapping names: the service's `argv`. */
  argv: string[];
}

/** What a `package.json` says in its `kiln` key. */
interface KilnManifest {
  /** Entry commands (a script, relative to the package, and maybe its first arguments) → the module that hosts them. */
  services?: Record<string, string>;
}

/**
 * Whether a service's local command can run in the launcher's process, and how. It can when it
 * is `node <script> [args…]` and the `package.json` nearest to `<script>` maps the script, and
 * maybe its first arguments, in `kiln.services` to a module exporting `startService`:
 *
 * ```json
 * "kiln": { "services": { "dist/main.js": "dist/service.js" } }
 * "kiln": { "services": { "dist/main.js serve": "dist/serve-service.js" } }
 * ```
 *
 * The longest mapping that matches wins. Anything else (Node.js flags, another executable, a
 * script no package maps) runs as a process of its own. Paths resolve from `root`; links are
 * followed, so a package reached through `node_modules` matches too.
 */
export function findHostedEntry(command: readonly string[], root: string): HostedEntry | null {
  const [executable, script, ...args] = command;
  if (executable !== 'node' || script === undefined || script.startsWith('-')) return null;
  const scriptPath = realPath(resolve(root, script));
  if (scriptPath === null) return null;
  const manifestPath = nearestManifest(dirname(scriptPath));
  if (manifestPath === null) return null;
  const services = readServices(manifestPath);
  const packageDir = dirname(manifestPath);
  let best: { entry: HostedEntry; words: number } | null = null;
  for (const [key, target] of Object.entries(services)) {
    const [mappedScript, ...words] = key.trim().split(/\s+/);
    if (mappedScript === undefined || realPath(resolve(packageDir, mappedScript)) !== scriptPath)
      continue;
    if (words.some((word, index) => args[index] !== word)) continue;
    if (best && best.words >= words.length) continue;
    best = {
      entry: { module: resolve(packageDir, target), argv: args.slice(words.length) },
      words: words.length,
    };
  }
  return best?.entry ?? null;
}

function realPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function nearestManifest(folder: string): string | null {
  for (let current = folder; ; current = dirname(current)) {
    const candidate = join(current, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return null;
  }
}

function readServices(manifestPath: string): Record<string, string> {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { kiln?: KilnManifest };
    const services = manifest.kiln?.services;
    if (!services || typeof services !== 'object') return {};
    return Object.fromEntries(
      Object.entries(services).filter(([, target]) => typeof target === 'string'),
    );
  } catch {
    // A manifest that cannot be read maps nothing: the service runs as a process, as before.
    return {};
  }
}
