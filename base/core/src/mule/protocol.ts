/**
 * The only thing the server and the mule share: typed IPC messages with a `cmd` discriminator
 * (BullMQ's child messages, without `any` payloads).
 */
import type { DataFileEntry, InputArtifactRef } from '@kiln/api';
import type { ArtifactPaths } from '../store/store-layout.js';

/** Everything the mule needs to build one artifact; serialisable. */
export interface BuildJob {
  name: string;
  attempt: number;
  parameters: Record<string, unknown>;
  /** Input-file name → stored path. */
  inputFiles: Record<string, string>;
  /** Artifact references to fetch before the build. */
  inputRefs: InputArtifactRef[];
  paths: ArtifactPaths;
}

/** How a build that did not complete went wrong, as sent over IPC. */
export interface BuildFailure {
  code: string;
  message: string;
}

export type ServerToMule = { cmd: 'build'; job: BuildJob } | { cmd: 'abort'; name: string };

export type MuleToServer =
  | { cmd: 'ready'; pid: number }
  | { cmd: 'init-failed'; error: BuildFailure }
  | { cmd: 'progress'; name: string; fraction: number; message: string | null }
  | { cmd: 'log'; name: string }
  | { cmd: 'metric'; name: string }
  | { cmd: 'completed'; name: string; files: DataFileEntry[]; digest: string }
  | { cmd: 'failed'; name: string; error: BuildFailure }
  | { cmd: 'aborted'; name: string };

/** Environment variable carrying the tool module's path to the mule. */
export const MULE_MODULE_ENV = 'KILN_MULE_MODULE';

/** Environment variable carrying the server's topology (its plain JSON form) to the mule. */
export const MULE_TOPOLOGY_ENV = 'KILN_MULE_TOPOLOGY';
