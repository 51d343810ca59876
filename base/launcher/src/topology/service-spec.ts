/** How a service waits for one it depends on. */
export const DependencyCondition = {
  Started: 'service_started',
  Healthy: 'service_healthy',
  CompletedSuccessfully: 'service_completed_successfully',
} as const;
export type DependencyCondition = (typeof DependencyCondition)[keyof typeof DependencyCondition];

/** One service of the project as the launcher runs it: the launcher's view of the topology. */
export interface ServiceSpec {
  /** The Compose service name, also its data folder's name and its host name in Docker. */
  name: string;
  /** The image Docker runs (informational; the launcher runs {@link command}). */
  image: string | undefined;
  /** argv of the local process, run from the project root; `node` means this Node.js. */
  command: string[];
  /** The service's environment from the Compose file, interpolated, before URL rewriting. */
  environment: Record<string, string>;
  /** Services this one needs, and how ready they must be. */
  dependsOn: Array<{ name: string; condition: DependencyCondition }>;
  /** The HTTP path that answers 2xx when the service is healthy; null when it has no health check. */
  healthPath: string | null;
  /** Whether Docker publishes a port of this service (the gateway): its URL is the project's. */
  published: boolean;
  /** The host port Docker publishes, when the file names one. */
  publishedPort: number | undefined;
  /** Whether a crashed process is started again (`restart` is anything but `no`). */
  restart: boolean;
  /** `x-kiln.isolate`: a process of its own, even where the launcher could host it. */
  isolate: boolean;
}

/** The whole project: services in an order where each comes after those it depends on. */
export interface ProjectTopology {
  /** The Compose project name. */
  name: string;
  services: ServiceSpec[];
}
