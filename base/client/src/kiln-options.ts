import { Topology, type TopologyDescription } from '@kiln/topology';

/** Options shared by every client (`new Kiln(url, options)`, `Kiln.direct(url, options)`). */
export interface KilnOptions {
  /** Sent as `Authorization: Bearer <token>` (the gateway's `KILN_TOKEN`). */
  token?: string;
  /**
   * Milliseconds one call may take, retries included; each call may override it.
   * Long-polls (`wait`) and streams (`followLog`, `events`, `download`) are bounded by their own options.
   * @defaultValue 30000
   */
  timeout?: number;
  /**
   * How many times an idempotent request (GET, HEAD, DELETE) is tried again after a connection
   * error or a 502/503 answer.
   * @defaultValue 3
   */
  retries?: number;
  /**
   * The first retry's delay in milliseconds; each further retry doubles it.
   * @defaultValue 250
   */
  retryDelay?: number;
  /**
   * The longest delay between two retries, in milliseconds.
   * @defaultValue 5000
   */
  maxRetryDelay?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * The project's topology, through which every URL is resolved before it is opened: a compose
   * URL (`http://import:8080/…`, the form artifact references take) reaches the service where
   * this process can (a loopback address under `kiln up`). URLs the client hands out
   * (`artifactUrl()`) stay in compose form. See `@kiln/topology`.
   * @defaultValue none: URLs are opened as they are
   */
  topology?: Topology | TopologyDescription;
}

/** {@link KilnOptions} with every default applied. */
export interface ResolvedKilnOptions {
  token: string | undefined;
  timeout: number;
  retries: number;
  retryDelay: number;
  maxRetryDelay: number;
  headers: Record<string, string>;
  topology: Topology;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Milliseconds this call may take, retries included (overrides {@link KilnOptions.timeout}). */
  timeout?: number;
}

/** Applies the defaults of {@link KilnOptions}. */
export function resolveKilnOptions(options: KilnOptions = {}): ResolvedKilnOptions {
  return {
    token: options.token === '' ? undefined : options.token,
    timeout: options.timeout ?? 30_000,
    retries: options.retries ?? 3,
    retryDelay: options.retryDelay ?? 250,
    maxRetryDelay: options.maxRetryDelay ?? 5_000,
    headers: { ...options.headers },
    topology: Topology.from(options.topology),
  };
}
