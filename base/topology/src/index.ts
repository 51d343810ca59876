/**
 * @module @kiln/topology
 * A Kiln project's topology: its services as `docker-compose.yml` declares them, their roles,
 * and where this process reaches each one. Every container learns the project from it instead
 * of from lists of URLs, and resolves the compose URLs that artifact references carry
 * (`http://import:8080/…`) into URLs it can open, under `kiln up`, Docker and Kubernetes alike.
 */
export {
  Topology,
  type ResolvedService,
  type TopologyDescription,
  type TopologyService,
} from './topology.js';
export {
  ServiceRole,
  SERVICE_ROLES,
  SERVICE_PORT,
  serviceUrl,
  gatewayPath,
} from './service-role.js';
export { parseServiceAddresses } from './service-addresses.js';
export { topologyFromCompose } from './compose-topology.js';
export {
  loadTopology,
  readComposeTopology,
  TopologyEnv,
  type LoadTopologyOptions,
} from './load-topology.js';
