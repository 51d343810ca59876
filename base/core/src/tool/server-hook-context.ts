import type { ArtifactRecord, ArtifactSummary, Logger } from '@kiln/api';
import type { Topology } from '@kiln/topology';

/**
 * What a definition's `routes` hook may use in the server process: read-only views of this
 * container's own artifacts.
 */
export interface ServerHookContext {
  logger: Logger;
  /** The project's topology, as the server was given it (see `BuildContext.topology`). */
  topology: Topology;
  /** `/artifacts` or `/runs`. */
  collectionPath: string;
  /** The summary of one of this container's artifacts, or null. */
  getSummary(name: string): Promise<ArtifactSummary | null>;
  /** The full record of one of this container's artifacts, or null. */
  getRecord(name: string): Promise<ArtifactRecord | null>;
  /** A report metric of an artifact (`ctx.report(name, json)` in the build), or null. */
  readReport(artifact: string, metric: string): Promise<unknown>;
}
