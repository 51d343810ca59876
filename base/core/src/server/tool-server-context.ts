import type { ToolDescription, Logger } from '@kiln/api';
import type { Topology } from '@kiln/topology';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { ArtifactCreator } from './artifact-creator.js';
import type { BuildScheduler } from './build-scheduler.js';
import type { EventHub } from './event-hub.js';
import type { MuleSupervisor } from './mule-supervisor.js';

/** What the routes of a tool container work with. */
export interface ToolServerContext {
  description: ToolDescription;
  /** `/artifacts` for tools, `/runs` for pipelines. */
  collectionPath: string;
  store: ArtifactStore;
  scheduler: BuildScheduler;
  events: EventHub;
  creator: ArtifactCreator;
  mule: MuleSupervisor;
  logger: Logger;
  maxUploadBytes: number;
  topology: Topology;
}
