/** A PostgreSQL server a test started. */
export interface TestPostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server (`fast`: clean; `immediate`: as if it crashed). */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  resume(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/** Starts a PostgreSQL server of its own in a temporary folder, on a free loopback port. */
export function startPostgres(options?: { fsync?: boolean }): Promise<TestPostgres>;
