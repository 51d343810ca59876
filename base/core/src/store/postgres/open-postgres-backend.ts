import type { Logger } from '@kiln/api';
import { toSummary } from '../artifact-row.js';
import type { StoreBackend } from '../store-backend.js';
import { PostgresArtifactIndex } from './postgres-artifact-index.js';
import { PostgresBuildQueue } from './postgres-build-queue.js';
import { PostgresDatabase } from './postgres-database.js';
import { PostgresEventHub } from './postgres-event-hub.js';
import { ReplicaHeartbeat } from './replica-heartbeat.js';

/** Where a cluster keeps its state, and who this replica is in it. */
export interface PostgresBackendOptions {
  /** `postgres://user:password@host:5432/database` */
  url: string;
  /** The schema of this container's tables (made, or upgraded in place, at start). */
  schema: string;
  /** This process, as the owner of its claims (unique across restarts and machines). */
  replica: string;
  /** How long a lease lasts; a replica silent for this long is taken for gone. */
  leaseMs: number;
  logger: Logger;
}

/**
 * The backend of cluster mode: the index, the queue and its leases in PostgreSQL, and the events
 * through LISTEN/NOTIFY, shared by every replica of a container. Rejects, with one line that
 * names the database and the reason, when it cannot be reached or its schema is newer than this
 * Kiln's; nothing is left open then.
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<StoreBackend> {
  const { logger } = options;
  const db = await PostgresDatabase.open({ url: options.url, schema: options.schema, logger });
  const heartbeat = new ReplicaHeartbeat(db, options.replica, options.leaseMs, logger);
  let events: PostgresEventHub | null = null;
  try {
    const index = new PostgresArtifactIndex(db, options.replica, options.leaseMs);
    events = await PostgresEventHub.start({
      db,
      replica: options.replica,
      logger,
      readSummary: async (name) => {
        const artifact = await index.get(name);
        return artifact ? toSummary(artifact) : null;
      },
    });
    await heartbeat.start();
    const hub = events;
    let closing: Promise<void> | null = null;
    return {
      index,
      queue: new PostgresBuildQueue(db),
      events: hub,
      shared: true,
      otherReplicas: () => heartbeat.others(),
      close: () =>
        (closing ??= (async () => {
          await heartbeat.stop();
          await hub.close();
          await db.close();
        })()),
    };
  } catch (error) {
    await heartbeat.stop();
    await events?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
