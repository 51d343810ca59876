import {
  isFinalStatus,
  type ArtifactStatus,
  type ContainerArtifactSummary,
  type ContainerInfo,
  type StepInfo,
} from '@kiln/api';
import { Kiln, type ToolClient } from '@kiln/client';
import type { Topology } from '@kiln/topology';
import type { ResolvedContainer, ResolvedPipelineRuntimeOptions } from '../pipeline-definition.js';

/**
 * Asks a pipeline's containers about themselves for its routes, each request bounded by
 * `probeTimeoutMs` and never retried: a container that does not answer at once is reported as
 * such rather than holding the listing up.
 */
export class ContainerProbe {
  readonly #entries: ReadonlyArray<readonly [ResolvedContainer, ToolClient]>;
  readonly #timeoutMs: number;

  constructor(
    containers: readonly ResolvedContainer[],
    topology: Topology,
    options: Pick<ResolvedPipelineRuntimeOptions, 'probeTimeoutMs'>,
  ) {
    this.#timeoutMs = options.probeTimeoutMs;
    this.#entries = containers.map((container) => [
      container,
      Kiln.direct(container.url, { topology, timeout: this.#timeoutMs, retries: 0 }).container(),
    ]);
  }

  /** `GET /containers`: each container's description and health, asked concurrently. */
  describeAll(): Promise<ContainerInfo[]> {
    return Promise.all(this.#entries.map(([container, client]) => describe(container, client)));
  }

  /** Each container's artifacts with their `container` field; one that fails is left out. */
  listAll(
    status: ArtifactStatus | undefined,
    onError: (container: string, error: unknown) => void,
  ): Promise<ContainerArtifactSummary[][]> {
    return Promise.all(
      this.#entries.map(async ([container, client]) => {
        try {
          const summaries = await client.list(status ? { status } : {});
          return summaries.map((summary) => ({ ...summary, container: container.name }));
        } catch (error) {
          onError(container.name, error);
          return [];
        }
      }),
    );
  }

  /** A running run's steps with the live status of those not final yet (the ledger may lag). */
  refreshSteps(steps: StepInfo[]): Promise<StepInfo[]> {
    return Promise.all(
      steps.map(async (step) => {
        const client = this.#entries.find(([container]) => container.name === step.container)?.[1];
        if (!client || isFinalStatus(step.status)) return step;
        try {
          const live = await client.status(step.artifact);
          return {
            ...step,
            status: live.status,
            cached: live.cached,
            startedAt: live.startedAt,
            finishedAt: live.finishedAt,
          };
        } catch {
          return step;
        }
      }),
    );
  }
}

/** One `/containers` entry; the URL stays in compose form, as references name the container. */
async function describe(container: ResolvedContainer, client: ToolClient): Promise<ContainerInfo> {
  const [description, health] = await Promise.allSettled([client.describe(), client.health()]);
  const described = description.status === 'fulfilled' ? description.value : null;
  return {
    name: container.name,
    url: container.url,
    category: container.category,
    description: described?.description ?? container.description,
    artifactType: described?.artifactType ?? '',
    healthy: health.status === 'fulfilled' && health.value.status === 'ok',
  };
}
