import { join } from 'node:path';

/**
 * Where everything lives under the data folder. An operator can read any artifact with `ls`
 * and `cat`:
 *
 * ```
 * <data>/kiln.db                        SQLite index and queue (unless PostgreSQL holds them)
 * <data>/uploads/<replica>/             multipart uploads in flight, one folder per server process
 * <data>/run/mules/<host>-<pid>         the mules running now (see MuleRegistry)
 * <data>/artifacts/<name>/
 *   status.json                         the summary, mirrored from the index
 *   parameters.json                     the validated parameters
 *   input-files.json, input-files/<f>   the submitted files
 *   inputs/<parameter>/                 fetched data of referenced artifacts
 *   staging/attempt-<n>/                the output of attempt n while it runs
 *   data/                               the data, renamed from staging/ on success
 *   log.txt                             the build log
 *   metrics/<m>.jsonl, metrics/<m>.json series points, reports
 * ```
 */
export interface ArtifactPaths {
  root: string;
  status: string;
  parameters: string;
  inputFilesIndex: string;
  inputFiles: string;
  inputs: string;
  staging: string;
  data: string;
  log: string;
  metrics: string;
}

export function artifactsRoot(dataDir: string): string {
  return join(dataDir, 'artifacts');
}

export function uploadsRoot(dataDir: string): string {
  return join(dataDir, 'uploads');
}

/** The uploads folder of one server process: no other process touches it while it lives. */
export function replicaUploads(dataDir: string, replica: string): string {
  return join(uploadsRoot(dataDir), replica);
}

/** Where attempt `attempt` of a build writes its output: never where another attempt does. */
export function attemptStaging(paths: ArtifactPaths, attempt: number): string {
  return join(paths.staging, `attempt-${attempt}`);
}

export function indexPath(dataDir: string): string {
  return join(dataDir, 'kiln.db');
}

/** The paths of one artifact; `name` must already be a valid Kiln name. */
export function artifactPaths(dataDir: string, name: string): ArtifactPaths {
  const root = join(artifactsRoot(dataDir), name);
  return {
    root,
    status: join(root, 'status.json'),
    parameters: join(root, 'parameters.json'),
    inputFilesIndex: join(root, 'input-files.json'),
    inputFiles: join(root, 'input-files'),
    inputs: join(root, 'inputs'),
    staging: join(root, 'staging'),
    data: join(root, 'data'),
    log: join(root, 'log.txt'),
    metrics: join(root, 'metrics'),
  };
}

/** Series metrics end in `.jsonl`, reports in `.json`. */
export const SERIES_SUFFIX = '.jsonl';
export const REPORT_SUFFIX = '.json';
