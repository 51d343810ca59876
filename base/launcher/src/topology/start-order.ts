import { LauncherError, LauncherErrorCode } from '../launcher-error.js';

/**
 * Orders services so each comes after everything it depends on, keeping the file's order
 * otherwise; a dependency cycle is an error naming the services in it.
 */
export function startOrder<T extends { name: string; dependsOn: Array<{ name: string }> }>(
  services: readonly T[],
): T[] {
  const byName = new Map(services.map((service) => [service.name, service]));
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: T, path: string[]): void => {
    const seen = state.get(service.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(service.name)), service.name].join(' → ');
      throw new LauncherError(LauncherErrorCode.ServiceUnrunnable, `dependency cycle: ${cycle}`);
    }
    state.set(service.name, 'visiting');
    for (const dependency of service.dependsOn) {
      const next = byName.get(dependency.name);
      if (next) visit(next, [...path, service.name]);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}
