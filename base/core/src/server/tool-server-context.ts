import type { ToolDescription, Logger } from '@kiln/api';
import type { Topology } from '@kiln/topology';
import type { EventHub } from '../events/event-hub.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import type { ArtifactCreator } from './artifact-creator.js';
import type { BuildScheduler } from './build-scheduler.js';

/** What the routes of a tool container work with. */
export interface ToolServerContext {
  description: ToolDescription;
  /** `/artifacts` for tools, `/runs` for pipelines. */
  collectionPath: string;
  store: ArtifactStore;
  scheduler: BuildScheduler;
  events: EventHub;
  creator: ArtifactCreator;
  workers: WorkerPool;
  logger: Logger;
  maxUploadBytes: number;
  topology: Topology;
}
