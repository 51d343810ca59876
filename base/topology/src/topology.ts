import { isValidName } from '@kiln/api';
import { COMPOSE_ORIGIN, SERVICE_ROLES, ServiceRole, serviceUrl } from './service-role.js';
import { invalid, isHttpUrl } from './service-addresses.js';

/** One service of the project, as plain data. */
export interface TopologyService {
  /** The service's name in `docker-compose.yml`: its host name, and its gateway name. */
  name: string;
  /** @defaultValue 'container' */
  role?: ServiceRole;
  /**
   * Where this process reaches the service, when that is not its compose URL (`kiln up` runs
   * every service on a loopback port).
   * @defaultValue `http://<name>:8080`
   */
  address?: string;
}

/**
 * A project's topology as plain data: what `docker-compose.yml` declares, plus where this
 * process reaches each service. This is the form options take and the form that crosses a
 * process boundary (to a mule); {@link Topology} resolves URLs with it.
 */
export interface TopologyDescription {
  /** The Compose project's name. */
  project?: string;
  services: readonly TopologyService[];
}

/** A service with every default applied. */
export interface ResolvedService {
  name: string;
  role: ServiceRole;
  /** Its URL as the compose file names it: `http://<name>:8080`. */
  url: string;
  /** Where this process reaches it (its `url` unless an address says otherwise). */
  address: string;
}

/**
 * The services of a project and how to reach them from this process. Artifact references and
 * every URL a Kiln container hands out name services as `docker-compose.yml` does
 * (`http://import:8080/artifacts/x/`); {@link Topology.resolve} turns such a URL into one this
 * process can open, which is the same URL under Docker and Kubernetes (service names resolve)
 * and a loopback address under `kiln up`.
 *
 * @example
 * ```ts
 * const topology = new Topology({
 *   services: [{ name: 'import', address: 'http://127.0.0.1:9002' }, { name: 'gateway', role: 'gateway' }],
 * });
 * topology.resolve('http://import:8080/artifacts/x/'); // 'http://127.0.0.1:9002/artifacts/x/'
 * topology.canonical('http://127.0.0.1:9002/artifacts/x/'); // 'http://import:8080/artifacts/x/'
 * ```
 */
export class Topology {
  /** A project with no services: every URL is used as it is. */
  static readonly EMPTY = new Topology({ services: [] });

  readonly project: string | undefined;
  readonly services: readonly ResolvedService[];
  readonly #byName: ReadonlyMap<string, ResolvedService>;

  /** Checks every name, role and address; a bad one is an `INVALID_TOPOLOGY` error. */
  constructor(description: TopologyDescription) {
    this.project = description.project;
    this.services = description.services.map(resolveService);
    const byName = new Map<string, ResolvedService>();
    for (const service of this.services) {
      if (byName.has(service.name)) throw invalid(`service '${service.name}' is named twice`);
      byName.set(service.name, service);
    }
    this.#byName = byName;
  }

  /** A topology from its plain form, or the topology itself; nothing gives {@link EMPTY}. */
  static from(source: Topology | TopologyDescription | undefined): Topology {
    if (source === undefined) return Topology.EMPTY;
    return source instanceof Topology ? source : new Topology(source);
  }

  /** One service by name. */
  service(name: string): ResolvedService | undefined {
    return this.#byName.get(name);
  }

  /** The services with `role`, in the compose file's order. */
  withRole(role: ServiceRole): ResolvedService[] {
    return this.services.filter((service) => service.role === role);
  }

  /**
   * The URL this process should open for `url`: a compose URL of a known service
   * (`http://import:8080/…`) becomes the service's address; any other URL is returned as it is.
   */
  resolve(url: string): string {
    const match = COMPOSE_ORIGIN.exec(url);
    const service = match ? this.#byName.get(match[1]!) : undefined;
    if (!match || !service) return url;
    return `${service.address}${url.slice(match[0].length)}`;
  }

  /**
   * The inverse of {@link resolve}: a URL under a service's address becomes the same URL under
   * its compose name, the form references and listings carry. Other URLs are returned as they are.
   */
  canonical(url: string): string {
    let best: ResolvedService | undefined;
    for (const service of this.services) {
      if (service.address === service.url || !startsWithBase(url, service.address)) continue;
      if (!best || service.address.length > best.address.length) best = service;
    }
    return best ? `${best.url}${url.slice(best.address.length)}` : url;
  }

  /** The same project with some services reached at other addresses. */
  withAddresses(addresses: Readonly<Record<string, string>>): Topology {
    for (const name of Object.keys(addresses)) {
      if (!this.#byName.has(name)) throw invalid(`no service named '${name}' in the topology`);
    }
    return new Topology({
      ...(this.project === undefined ? {} : { project: this.project }),
      services: this.services.map((service) => ({
        name: service.name,
        role: service.role,
        address: addresses[service.name] ?? service.address,
      })),
    });
  }

  /** The plain form, for options and for a process boundary. */
  toJSON(): TopologyDescription {
    return {
      ...(this.project === undefined ? {} : { project: this.project }),
      services: this.services.map(({ name, role, address }) => ({ name, role, address })),
    };
  }
}

function resolveService(service: TopologyService): ResolvedService {
  const { name } = service;
  if (!isValidName(name)) throw invalid(`'${String(name)}' is not a valid service name`);
  const role = service.role ?? ServiceRole.Container;
  if (!SERVICE_ROLES.includes(role)) {
    throw invalid(`service '${name}': role must be one of ${SERVICE_ROLES.join(', ')}`);
  }
  const url = serviceUrl(name);
  const address = (service.address ?? url).replace(/\/+$/, '');
  if (!isHttpUrl(address) || /[?#]/.test(address)) {
    throw invalid(`service '${name}': '${service.address}' is not an http(s) base URL`);
  }
  return { name, role, url, address };
}

/** Whether `url` is `base` or below it (`base` followed by `/`, `?`, `#` or nothing). */
function startsWithBase(url: string, base: string): boolean {
  if (!url.startsWith(base)) return false;
  const next = url[base.length];
  return next === undefined || next === '/' || next === '?' || next === '#';
}
