import type { PipelineListing, TaskDescription } from '@kiln/api';
import type { Logger } from '@kiln/core';
import type { ServiceEndpoint } from './service-urls.js';

/**
 * A `GET /pipelines/` entry. `available` is a Kiln extension: false when the pipeline did not
 * answer its `/task`, in which case `task` is the last one it gave (or empty).
 */
export interface DashboardPipelineListing extends PipelineListing {
  available: boolean;
}

/** Options of {@link PipelineDirectory}. */
export interface PipelineDirectoryOptions {
  /**
   * How long to wait for a pipeline's `/task`.
   * @defaultValue 5000
   */
  timeoutMs?: number;
  /**
   * How long a fetched task is reused before it is asked for again.
   * @defaultValue 30000
   */
  cacheMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

interface CachedTask {
  task: PipelineListing['task'];
  at: number;
}

/**
 * The project's pipelines and their tasks. Each pipeline's `/task` is fetched on demand and
 * kept a while; a pipeline that does not answer is still listed (unavailable), so the
 * dashboard can show it is down rather than hide it.
 */
export class PipelineDirectory {
  readonly #pipelines: readonly ServiceEndpoint[];
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedTask>();

  constructor(
    pipelines: readonly ServiceEndpoint[],
    logger: Logger,
    options: PipelineDirectoryOptions = {},
  ) {
    this.#pipelines = pipelines;
    this.#logger = logger;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#cacheMs = options.cacheMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Every configured pipeline, in configuration order. */
  list(): Promise<DashboardPipelineListing[]> {
    return Promise.all(this.#pipelines.map((pipeline) => this.#describe(pipeline)));
  }

  async #describe(pipeline: ServiceEndpoint): Promise<DashboardPipelineListing> {
    const entry = { name: pipeline.name, url: `/containers/${pipeline.name}/` };
    const cached = this.#cache.get(pipeline.name);
    if (cached && this.#now() - cached.at < this.#cacheMs)
      return { ...entry, task: cached.task, available: true };
    try {
      const task = await this.#fetchTask(pipeline);
      this.#cache.set(pipeline.name, { task, at: this.#now() });
      return { ...entry, task, available: true };
    } catch (error) {
      this.#logger.warn('pipeline task unavailable', {
        pipeline: pipeline.name,
        reason: error instanceof Error ? error.message : String(error),
      });
      return { ...entry, task: cached?.task ?? { name: '', description: '' }, available: false };
    }
  }

  async #fetchTask(pipeline: ServiceEndpoint): Promise<PipelineListing['task']> {
    const response = await fetch(`${pipeline.url}/task`, {
      signal: AbortSignal.timeout(this.#timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`/task answered ${response.status}`);
    const task = (await response.json()) as Partial<TaskDescription>;
    if (typeof task.name !== 'string' || typeof task.description !== 'string') {
      throw new Error('/task is not a task description');
    }
    return { name: task.name, description: task.description };
  }
}
