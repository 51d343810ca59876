import { LABELLED_DATASET } from '@kiln/api';
import { Kiln } from '@kiln/client';
import { openToolService, type ToolService } from '@kiln/core';
import { serviceUrl, type Topology } from '@kiln/topology';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServingEvents } from './events/serving-events.js';
import { FeedbackService } from './feedback/feedback-service.js';
import type { ServingContext } from './http/serving-context.js';
import { InferenceService } from './inference/inference-service.js';
import { ArtifactFetcher } from './registry/artifact-fetcher.js';
import { ModelRegistry } from './registry/model-registry.js';
import { Gate } from './retrain/gate.js';
import { RetrainDriver } from './retrain/retrain-driver.js';
import { Retrainer } from './retrain/retrainer.js';
import { RetrainPolicies } from './retrain/retrain-policies.js';
import type { ResolvedServingOptions } from './serving-options.js';
import { ServiceSnapshots } from './snapshot/service-snapshots.js';
import type { SnapshotSettings } from './snapshot/snapshot-parameters.js';
import { FeedbackStore } from './store/feedback-store.js';
import { PolicyStore } from './store/policy-store.js';
import { PredictionStore } from './store/prediction-store.js';
import { RegistryStore } from './store/registry-store.js';
import { retrainInfo, RetrainStore } from './store/retrain-store.js';
import {
  databaseToken,
  openServingDatabase,
  SERVING_DATABASE_FILE,
} from './store/serving-database.js';

/** The labelled-dataset tool module, which the snapshots' mule loads (never imported here). */
const SNAPSHOT_TOOL = fileURLToPath(
  new URL('./snapshot/labelled-dataset-tool.js', import.meta.url),
);

/** How long the policy check waits for a pipeline's description. */
const PIPELINE_CHECK_TIMEOUT_MS = 5_000;

/** Everything a serving container is made of, before it listens. */
export interface ServingParts {
  context: Omit<ServingContext, 'description'>;
  snapshots: ToolService;
  registry: ModelRegistry;
  retrainer: Retrainer;
  /** Sets the URL other containers reach this one by, once it listens. */
  setUrl(url: string): void;
  /** Stops the retraining runs' drivers, the model processes and the snapshots; closes the database. */
  close(): Promise<void>;
}

/** What is wrong with a pipeline a policy names, if anything. */
async function pipelineProblem(name: string, topology: Topology): Promise<string | null> {
  if (!topology.service(name))
    return `'${name}' is not a service of this project (docker-compose.yml)`;
  try {
    const description = await Kiln.direct(serviceUrl(name), {
      topology,
      timeout: PIPELINE_CHECK_TIMEOUT_MS,
      retries: 0,
    })
      .pipeline()
      .describe();
    return description.kind === 'pipeline'
      ? null
      : `'${name}' is a ${description.kind} container, not a pipeline`;
  } catch (error) {
    return `'${name}' did not answer as a pipeline: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Opens the serving database and wires the container: the registry, inference, the feedback
 * loop (labels, policies, the retrainer and its gate) and the labelled-dataset tool service
 * whose artifacts are the snapshots.
 */
export async function openServingParts(resolved: ResolvedServingOptions): Promise<ServingParts> {
  const { logger, topology } = resolved;
  const client = { topology };
  const db = openServingDatabase(resolved.dataDir);
  const events = new ServingEvents();
  const feedbackStore = new FeedbackStore(db);
  const retrainStore = new RetrainStore(db);
  const predictions = new PredictionStore(db, resolved.maxPredictions);
  const watched = new Map(
    resolved.watch.map((watch) => [watch.model, topology.canonical(watch.url)]),
  );
  const policies = new RetrainPolicies({
    store: new PolicyStore(db),
    defaultPipeline: (model) => {
      const url = watched.get(model);
      const service = url === undefined ? undefined : /^http:\/\/([^/:]+):8080/.exec(url)?.[1];
      return service ?? null;
    },
    checkPipeline: (name) => pipelineProblem(name, topology),
  });
  const fetcher = new ArtifactFetcher(join(resolved.dataDir, 'datasets'), client);
  const registry = new ModelRegistry({
    dataDir: resolved.dataDir,
    store: new RegistryStore(db),
    fetcher,
    events,
    logger,
    backend: resolved.backend,
    batching: { maxBatchSize: resolved.maxBatchSize, maxDelayMs: resolved.maxBatchDelayMs },
    benchmarkRuns: resolved.benchmarkRuns,
    maxAttempts: resolved.maxAttempts,
    annotations: {
      versionFeedback: (model) => feedbackStore.byVersion(model),
      policy: (model) => policies.get(model),
      feedback: (model) => {
        const counts = feedbackStore.counts(model);
        return { total: counts.total, unused: counts.unused };
      },
    },
  });
  const settings: SnapshotSettings = { database: join(resolved.dataDir, SERVING_DATABASE_FILE) };
  let snapshots: ToolService;
  try {
    snapshots = await openToolService({
      modulePath: SNAPSHOT_TOOL,
      dataDir: resolved.dataDir,
      logger: logger.child({ component: 'snapshots' }),
      topology,
      settings: { ...settings },
    });
  } catch (error) {
    db.close();
    throw error;
  }
  snapshots.onArtifact((summary) => events.emit('artifact', summary));
  let url = '';
  const driver = new RetrainDriver({
    store: retrainStore,
    registry,
    gate: new Gate({ registry, fetcher, heldOut: (model) => feedbackStore.heldOut(model) }),
    snapshots: new ServiceSnapshots(snapshots, () => url),
    policy: (model) => policies.get(model),
    client,
    logger: logger.child({ component: 'retrain' }),
    onChange: (record) => events.emit('retrain', retrainInfo(record)),
  });
  const retrainer = new Retrainer({
    store: retrainStore,
    feedback: feedbackStore,
    policies,
    registry,
    driver,
    events,
    logger: logger.child({ component: 'retrain' }),
    token: databaseToken(db),
  });
  const inference = new InferenceService(registry, predictions, events);
  const feedback = new FeedbackService({
    feedback: feedbackStore,
    predictions,
    registry,
    policies,
    retrainer,
    events,
    logger,
  });
  return {
    context: {
      registry,
      inference,
      predictions,
      feedback,
      retrainer,
      policies,
      events,
      dataDir: resolved.dataDir,
      limits: {
        maxBodyBytes: resolved.maxBodyBytes,
        maxImageBytes: resolved.maxImageBytes,
        maxImagePixels: resolved.maxImagePixels,
      },
      logger,
      snapshots,
    },
    snapshots,
    registry,
    retrainer,
    setUrl: (advertised) => (url = advertised),
    close: async () => {
      await retrainer.close();
      await registry.close();
      await snapshots.close();
      db.close();
    },
  };
}

/** The `GET /` fields the snapshots' tool gives the container. */
export function toolFields(
  snapshots: ToolService,
): Pick<ToolService['description'], 'artifactType' | 'parameters' | 'inputFiles'> {
  return {
    artifactType: LABELLED_DATASET,
    parameters: snapshots.description.parameters,
    inputFiles: snapshots.description.inputFiles,
  };
}
