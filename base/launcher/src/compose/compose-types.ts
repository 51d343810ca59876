import type { ServiceRole } from '@kiln/topology';

/**
 * The parts of a Compose file the launcher reads, after interpolation. The schema validates the
 * whole file; these types only describe what the launcher looks at.
 */
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

/** A `depends_on` entry in long form. */
export interface ComposeDependency {
  condition?: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required?: boolean;
  restart?: boolean;
}

/** A published port in long form. */
export interface ComposePort {
  target?: number | string;
  published?: number | string;
  host_ip?: string;
  protocol?: string;
}

/** One service, as far as the launcher reads it. */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[] | null;
  entrypoint?: string | string[] | null;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, ComposeDependency>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number | ComposePort>;
  restart?: string;
  volumes?: unknown[];
  'x-kiln'?: KilnServiceExtension;
  [key: string]: unknown;
}

/**
 * The `x-kiln` extension of a service (Compose ignores `x-` keys): what the service is to the
 * project, and where running locally must differ from the container.
 */
export interface KilnServiceExtension {
  /**
   * `gateway`, `dashboard` or `visualization` for the services that serve the project itself
   * (read by `@kiln/topology`). @defaultValue 'container': an artifact container
   */
  role?: ServiceRole;
  /** The local command, when the service's `command` does not run from the repository root. */
  command?: string[];
  /** Extra environment for the local process only. */
  environment?: Record<string, string>;
  /** The health path, when the healthcheck names none. */
  health?: string;
  /** Leave this service out of `kiln up` (say, a GPU-only service with a local stand-in). */
  skip?: boolean;
  /**
   * Run it as a process of its own even where `kiln up` could host it in its own process (a
   * service that may exhaust memory, or that calls `process.exit`). @defaultValue false
   */
  isolate?: boolean;
}
