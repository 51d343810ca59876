import type { Logger, RegisterVersionRequest, VersionFigures } from '@kiln/api';
import { rm } from 'node:fs/promises';
import type { BackendName } from '../protocol.js';
import type { VersionRecord } from '../store/registry-store.js';
import type { BatchingOptions } from '../workers/batcher.js';
import { VersionWorker } from '../workers/version-worker.js';
import { checkArtifactUrl, type ArtifactFetcher } from './artifact-fetcher.js';

/** Images a batch of the evaluation holds. */
const EVALUATION_BATCH = 256;

/** What loading a version takes. */
export interface LoadSettings {
  backend: BackendName;
  batching: BatchingOptions;
  logger: Logger;
}

/** What {@link registerVersion} needs. */
export interface RegistrationDeps extends LoadSettings {
  fetcher: ArtifactFetcher;
  /** Single-image predictions timed for the latency figures. */
  benchmarkRuns: number;
  /** Called once the artifact is fetched, with its digest. */
  onFetched(digest: string): void;
}

/** A registered version, loaded and measured. */
export interface Registered {
  worker: VersionWorker;
  figures: VersionFigures;
}

/**
 * Checks a registration before anything is stored: the artifact must be a completed model
 * artifact and the evaluation set (the request's, else the one `previous` versions used) a
 * completed dataset artifact; a 422 otherwise. Resolves with the evaluation the version gets.
 */
export async function checkRegistration(
  request: RegisterVersionRequest,
  previous: VersionRecord['evaluation'],
  fetcher: ArtifactFetcher,
): Promise<VersionRecord['evaluation']> {
  checkArtifactUrl(request.artifact, 'artifact');
  const dataset = request.evaluation ?? previous?.dataset;
  const set = request.set ?? (request.evaluation ? undefined : previous?.set);
  if (dataset !== undefined) checkArtifactUrl(dataset, 'evaluation');
  await fetcher.modelRecord(request.artifact);
  if (dataset === undefined) return null;
  await fetcher.datasetRecord(dataset);
  return { dataset, set: set ?? 'test' };
}

/** Starts a process for a version whose files are in `modelDir` (load and warm-up). */
export function startWorker(
  record: Pick<VersionRecord, 'model' | 'version'>,
  modelDir: string,
  settings: LoadSettings,
): Promise<VersionWorker> {
  return VersionWorker.start({
    model: record.model,
    version: record.version,
    load: {
      modelDir,
      backend: settings.backend,
      warmupBatchSize: settings.batching.maxBatchSize,
    },
    batching: settings.batching,
    logger: settings.logger,
  });
}

/**
 * Registers a version: fetches the model artifact into `modelDir` (and the evaluation set, if
 * any), loads it in a fresh process and warms it up, times it, and scores it on the evaluation
 * set. Resolves with the running worker and the figures; on failure nothing is left running.
 */
export async function registerVersion(
  record: VersionRecord,
  modelDir: string,
  deps: RegistrationDeps,
): Promise<Registered> {
  // A registration interrupted by a restart starts again from nothing.
  await rm(modelDir, { recursive: true, force: true });
  deps.onFetched(await deps.fetcher.fetchModel(record.artifact, modelDir));
  const datasetDir = record.evaluation
    ? await deps.fetcher.fetchEvaluationSet(record.evaluation.dataset, record.evaluation.set)
    : null;
  const worker = await startWorker(record, modelDir, deps);
  try {
    const speed = await worker.benchmark(deps.benchmarkRuns, deps.batching.maxBatchSize);
    const scores =
      datasetDir && record.evaluation
        ? await worker.evaluate(datasetDir, record.evaluation.set, EVALUATION_BATCH)
        : null;
    const figures: VersionFigures = {
      accuracy: scores && scores.count > 0 ? scores.correct / scores.count : null,
      correct: scores?.correct ?? 0,
      count: scores?.count ?? 0,
      evaluation: record.evaluation,
      latency: speed.latency,
      samplesPerSecond: speed.samplesPerSecond,
      batchSize: speed.batchSize,
      backend: worker.info.backend,
      parameterCount: worker.info.parameterCount,
      loadMs: worker.loadMs,
    };
    return { worker, figures };
  } catch (error) {
    await worker.stop();
    throw error;
  }
}
