import { ErrorCode, KilnError } from '@kiln/api';
import {
  defaultDatabaseSchema,
  parseDatabaseSchema,
  parseDatabaseUrl,
} from '../store/postgres/database-url.js';

/**
 * How long a build's lease lasts unless renewed, by default. A replica renews the leases of its
 * builds every third of it; one that dies has its builds taken over by another once they run
 * out (and within a few seconds more, see `maintenanceIntervalMs`).
 */
export const DEFAULT_LEASE_MS = 30_000;
/** The shortest lease: renewals every third of it must stay far apart from each other. */
const MIN_LEASE_MS = 300;

/** The cluster options, as given. */
export interface ClusterOptions {
  databaseUrl?: string;
  databaseSchema?: string;
  leaseMs?: number;
}

/** The cluster options, checked, with defaults (no URL: the embedded SQLite store). */
export interface ResolvedClusterOptions {
  databaseUrl: string | undefined;
  databaseSchema: string | undefined;
  leaseMs: number;
}

/** A lease length in milliseconds from a flag or environment variable. */
export function parseLeaseMs(text: string, source: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  checkLease(value, source, text);
  return value;
}

/** Checks the cluster options; the schema is left to `databaseSchemaFor` (it needs the tool). */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  checkLease(leaseMs, 'leaseMs', String(leaseMs));
  return {
    databaseUrl:
      options.databaseUrl === undefined
        ? undefined
        : parseDatabaseUrl(options.databaseUrl, 'databaseUrl'),
    databaseSchema:
      options.databaseSchema === undefined
        ? undefined
        : parseDatabaseSchema(options.databaseSchema, 'databaseSchema'),
    leaseMs,
  };
}

/** The schema a container's tables live in: the one given, or one named after its tool. */
export function databaseSchemaFor(options: ResolvedClusterOptions, toolName: string): string {
  return options.databaseSchema ?? defaultDatabaseSchema(toolName);
}

/**
 * How often a replica of a cluster looks for builds whose lease ran out (and for the other
 * leftovers of replicas that died): often enough that a build is taken over within a couple of
 * seconds of its lease's end.
 */
export function maintenanceIntervalMs(leaseMs: number): number {
  return Math.min(leaseMs / 3, 2_000);
}

function checkLease(value: number, source: string, text: string): void {
  if (!Number.isSafeInteger(value) || value < MIN_LEASE_MS) {
    throw new KilnError(
      ErrorCode.InvalidOption,
      `${source} must be a whole number of milliseconds from ${MIN_LEASE_MS}, got '${text.trim()}'`,
    );
  }
}
