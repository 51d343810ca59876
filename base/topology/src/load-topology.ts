import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { topologyFromCompose } from './compose-topology.js';
import { invalid, parseServiceAddresses } from './service-addresses.js';
import { Topology, type TopologyDescription } from './topology.js';

/**
 * The environment variables a container's `main.ts` reads to learn its topology (and passes to
 * {@link loadTopology}): the compose file (mounted from a Compose `configs:` entry or a
 * Kubernetes ConfigMap; given by `kiln up`), and the addresses `kiln up` gives its processes.
 */
export const TopologyEnv = {
  ComposeFile: 'KILN_COMPOSE_FILE',
  Addresses: 'KILN_SERVICE_ADDRESSES',
} as const;

/** Options of {@link loadTopology}. */
export interface LoadTopologyOptions {
  /**
   * The project's `docker-compose.yml` (`KILN_COMPOSE_FILE`).
   * @defaultValue none: the topology holds only the services `addresses` names
   */
  composeFile?: string | undefined;
  /**
   * Where this process reaches some services, when not at their compose URL: a map, or the
   * `name=url,…` text of `KILN_SERVICE_ADDRESSES`.
   * @defaultValue none
   */
  addresses?: Readonly<Record<string, string>> | string | undefined;
}

/**
 * Reads a project's topology: the services of its compose file, reached at their compose URLs
 * unless `addresses` says otherwise. Without a compose file, the services are those `addresses`
 * names (artifact containers); with neither, the topology is empty and every URL is used as it
 * is. Anything unusable is an `INVALID_TOPOLOGY` error, so a container fails as it starts.
 *
 * @example
 * ```ts
 * // In a container's main.ts, the only place that reads the environment:
 * const topology = await loadTopology({
 *   composeFile: process.env[TopologyEnv.ComposeFile],
 *   addresses: process.env[TopologyEnv.Addresses],
 * });
 * ```
 */
export async function loadTopology(options: LoadTopologyOptions = {}): Promise<Topology> {
  const addresses =
    typeof options.addresses === 'string' || options.addresses === undefined
      ? parseServiceAddresses(options.addresses)
      : options.addresses;
  if (!options.composeFile) {
    return new Topology({
      services: Object.entries(addresses).map(([name, address]) => ({ name, address })),
    });
  }
  return new Topology(await readComposeTopology(options.composeFile)).withAddresses(addresses);
}

/** The topology a compose file declares (YAML with anchors and merge keys, as Compose reads it). */
export async function readComposeTopology(path: string): Promise<TopologyDescription> {
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'), { merge: true, maxAliasCount: 1000 });
  } catch (cause) {
    throw invalid(`cannot read the compose file ${path}: ${(cause as Error).message}`, cause);
  }
  try {
    return topologyFromCompose(document);
  } catch (error) {
    throw invalid(`${path}: ${(error as Error).message}`, error);
  }
}
