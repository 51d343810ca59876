import { LocalEventHub } from '../../events/local-event-hub.js';
import type { StoreBackend } from '../store-backend.js';
import { SqliteArtifactIndex } from './sqlite-artifact-index.js';
import { SqliteBuildQueue } from './sqlite-build-queue.js';
import { SqliteDatabase } from './sqlite-database.js';

/** The embedded backend: the SQLite file at `path` (made or upgraded in place) and an in-process hub. */
export function openSqliteBackend(path: string): StoreBackend {
  const sqlite = new SqliteDatabase(path);
  return {
    index: new SqliteArtifactIndex(sqlite),
    queue: new SqliteBuildQueue(sqlite),
    events: new LocalEventHub(),
    shared: false,
    otherReplicas: async () => [],
    close: async () => sqlite.close(),
  };
}
