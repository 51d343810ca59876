import { basename, dirname } from 'node:path';
import { LauncherError, LauncherErrorCode } from '../launcher-error.js';
import type { ComposeFile, ComposeService } from '../compose/compose-types.js';
import { DependencyCondition, type ProjectTopology, type ServiceSpec } from './service-spec.js';
import { startOrder } from './start-order.js';

/**
 * Maps each Compose service to a local process: its `command` (or `x-kiln.command`) run from
 * the project root, its environment, its dependencies, the health path named by its
 * healthcheck, and its published port. Services marked `x-kiln.skip` are left out.
 */
export function resolveTopology(compose: ComposeFile, composePath: string): ProjectTopology {
  const entries = Object.entries(compose.services).filter(
    ([, service]) => service['x-kiln']?.skip !== true,
  );
  const specs = entries.map(([name, service]) => toServiceSpec(name, service));
  const names = new Set(specs.map((spec) => spec.name));
  for (const spec of specs) {
    for (const dependency of spec.dependsOn) {
      if (!names.has(dependency.name)) {
        throw new LauncherError(
          LauncherErrorCode.ServiceUnrunnable,
          `service '${spec.name}' depends on '${dependency.name}', which is not run`,
        );
      }
    }
  }
  return { name: compose.name ?? basename(dirname(composePath)), services: startOrder(specs) };
}

function toServiceSpec(name: string, service: ComposeService): ServiceSpec {
  const extension = service['x-kiln'] ?? {};
  const command = extension.command ?? commandOf(service);
  if (command.length === 0) {
    throw new LauncherError(
      LauncherErrorCode.ServiceUnrunnable,
      `service '${name}' has no command to run locally (set command or x-kiln.command)`,
    );
  }
  return {
    name,
    image: service.image,
    command,
    environment: { ...environmentOf(service.environment), ...extension.environment },
    dependsOn: dependenciesOf(service.depends_on),
    healthPath: extension.health ?? healthPathOf(service.healthcheck),
    published: (service.ports ?? []).length > 0,
    publishedPort: publishedPortOf(service.ports),
    restart: (service.restart ?? 'always') !== 'no',
    isolate: extension.isolate === true,
  };
}

function commandOf(service: ComposeService): string[] {
  const parts = [service.entrypoint, service.command].flatMap((value) =>
    value === undefined || value === null ? [] : Array.isArray(value) ? value : splitCommand(value),
  );
  return parts.map(String);
}

/** Splits a shell-form command on blanks, honouring single and double quotes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    words.push(
      match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3] ?? ''),
    );
  }
  return words;
}

function environmentOf(environment: ComposeService['environment']): Record<string, string> {
  const result: Record<string, string> = {};
  if (Array.isArray(environment)) {
    for (const entry of environment) {
      const equals = entry.indexOf('=');
      // `- NAME` alone passes the variable through from the host, which the child inherits anyway.
      if (equals > 0) result[entry.slice(0, equals)] = entry.slice(equals + 1);
    }
    return result;
  }
  for (const [key, value] of Object.entries(environment ?? {})) {
    if (value !== null) result[key] = String(value);
  }
  return result;
}

function dependenciesOf(dependsOn: ComposeService['depends_on']): ServiceSpec['dependsOn'] {
  if (Array.isArray(dependsOn))
    return dependsOn.map((name) => ({ name, condition: DependencyCondition.Started }));
  return Object.entries(dependsOn ?? {}).map(([name, dependency]) => ({
    name,
    condition: dependency.condition ?? DependencyCondition.Started,
  }));
}

/** The path of the first loopback URL in the healthcheck's test (`http://127.0.0.1:8080/health` → `/health`). */
export function healthPathOf(healthcheck: ComposeService['healthcheck']): string | null {
  if (!healthcheck || healthcheck.disable) return null;
  const test = Array.isArray(healthcheck.test)
    ? healthcheck.test.join(' ')
    : (healthcheck.test ?? '');
  const match = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(\/[^\s'"`)]*)/.exec(test);
  return match ? match[1]! : null;
}

function publishedPortOf(ports: ComposeService['ports']): number | undefined {
  for (const port of ports ?? []) {
    const published =
      typeof port === 'object' ? port.published : String(port).split(':').slice(-2, -1)[0];
    const number = Number(String(published ?? '').split('-')[0]);
    if (Number.isInteger(number) && number > 0) return number;
  }
  return undefined;
}
