import { invalid } from './service-addresses.js';
import type { ServiceRole } from './service-role.js';
import type { TopologyDescription, TopologyService } from './topology.js';

/** The part of a service's `x-kiln` extension the topology reads. */
interface KilnServiceRole {
  role?: ServiceRole;
}

/**
 * The topology a Compose document declares: every service under `services`, in the file's
 * order, with the role its `x-kiln.role` gives (an artifact container when it gives none) and
 * its compose URL. Nothing else of the file matters here, so `${VAR}` values need no
 * interpolation.
 *
 * @example
 * ```ts
 * topologyFromCompose(parse(text, { merge: true }));
 * // { project: 'kiln', services: [{ name: 'gateway', role: 'gateway' }, { name: 'import' }, …] }
 * ```
 */
export function topologyFromCompose(document: unknown): TopologyDescription {
  if (!isObject(document) || !isObject(document['services'])) {
    throw invalid('the compose file has no services');
  }
  const services: TopologyService[] = Object.entries(document['services']).map(
    ([name, service]) => {
      const extension = isObject(service) ? service['x-kiln'] : undefined;
      const role = isObject(extension) ? (extension as KilnServiceRole).role : undefined;
      return role === undefined ? { name } : { name, role };
    },
  );
  const project = document['name'];
  return typeof project === 'string' ? { project, services } : { services };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
