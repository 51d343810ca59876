import {
  ContainerKind,
  type ContainerCategory,
  type ContainerInfo,
  type ContainerListing,
  type PipelineListing,
  type ToolDescription,
} from '@kiln/api';
import { Kiln } from '@kiln/client';
import type { Logger } from '@kiln/core';
import { ServiceRole, type Topology } from '@kiln/topology';

/** Options of {@link ProjectDirectory}. */
export interface ProjectDirectoryOptions {
  /**
   * How long to wait for a container's answer.
   * @defaultValue 5000
   */
  timeoutMs?: number;
  /**
   * How long a container's description, a pipeline's task and its list of containers are
   * reused before they are asked for again.
   * @defaultValue 30000
   */
  cacheMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** Something asked of a container, and when. */
interface Cached<T> {
  value: T;
  at: number;
}

/** What the directory knows of one container. */
interface Entry {
  name: string;
  kiln: Kiln;
  /** The last description it gave; kept while it does not answer, so a pipeline stays a pipeline. */
  described?: Cached<ToolDescription>;
  task?: Cached<PipelineListing['task']>;
  /** A pipeline's containers, as its `/containers` names them. */
  uses?: Cached<Pick<ContainerInfo, 'name' | 'category'>[]>;
  /** Whether the last question asked of it was answered. */
  answered: boolean;
}

/**
 * The project's artifact containers, as its topology declares them (every service whose role is
 * `container`), and what each one is: asked of the container itself (`GET /`) and kept a while.
 * Pipelines are the containers that say `kind: "pipeline"`; one that stops answering is still
 * listed, as unavailable. A tool that no pipeline uses is a container like any other.
 */
export class ProjectDirectory {
  readonly #entries: readonly Entry[];
  readonly #logger: Logger;
  readonly #cacheMs: number;
  readonly #now: () => number;

  constructor(topology: Topology, logger: Logger, options: ProjectDirectoryOptions = {}) {
    const client = { topology, timeout: options.timeoutMs ?? 5000, retries: 0 };
    this.#entries = topology.withRole(ServiceRole.Container).map((service) => ({
      name: service.name,
      kiln: Kiln.direct(service.url, client),
      answered: false,
    }));
    this.#logger = logger;
    this.#cacheMs = options.cacheMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** How many containers the topology declares. */
  get size(): number {
    return this.#entries.length;
  }

  /** `GET /pipelines/`: every pipeline, in the compose file's order, with its task. */
  async pipelines(): Promise<PipelineListing[]> {
    await this.#describeAll();
    const pipelines = this.#entries.filter(isPipeline);
    return Promise.all(pipelines.map((entry) => this.#listing(entry)));
  }

  /** `GET /containers/`: every container, with what it is, its health and who uses it. */
  async containers(): Promise<ContainerListing[]> {
    await this.#describeAll();
    const [health, uses] = await Promise.all([
      Promise.all(this.#entries.map((entry) => this.#healthy(entry))),
      this.#usage(),
    ]);
    return this.#entries.map((entry, index) => {
      const described = entry.described?.value;
      return {
        name: entry.name,
        kind: described?.kind ?? null,
        url: gatewayUrl(entry.name),
        description: described?.description ?? '',
        artifactType: described?.artifactType ?? '',
        category: uses.get(entry.name)?.category ?? null,
        healthy: health[index]!,
        pipelines: uses.get(entry.name)?.pipelines ?? [],
      };
    });
  }

  /**
   * Whether `name` may be a pipeline: a container of the project that said so, or one that has
   * not answered yet (its events are followed until it does).
   */
  async mayBePipeline(name: string): Promise<boolean> {
    const entry = this.#entries.find((candidate) => candidate.name === name);
    if (!entry) return false;
    await this.#describe(entry);
    return entry.described === undefined || isPipeline(entry);
  }

  async #listing(entry: Entry): Promise<PipelineListing> {
    const base = { name: entry.name, url: gatewayUrl(entry.name) };
    if (entry.answered && this.#fresh(entry.task)) {
      return { ...base, task: entry.task!.value, available: true };
    }
    try {
      const task = await entry.kiln.pipeline().task();
      entry.task = { value: { name: task.name, description: task.description }, at: this.#now() };
      entry.answered = true;
      return { ...base, task: entry.task.value, available: true };
    } catch (error) {
      this.#unavailable(entry, 'pipeline task unavailable', error);
      return {
        ...base,
        task: entry.task?.value ?? { name: '', description: '' },
        available: false,
      };
    }
  }

  #describeAll(): Promise<unknown> {
    return Promise.all(this.#entries.map((entry) => this.#describe(entry)));
  }

  async #describe(entry: Entry): Promise<void> {
    if (this.#fresh(entry.described)) return;
    try {
      entry.described = { value: await entry.kiln.container().describe(), at: this.#now() };
      entry.answered = true;
    } catch (error) {
      this.#unavailable(entry, 'container description unavailable', error);
    }
  }

  async #healthy(entry: Entry): Promise<boolean> {
    try {
      return (await entry.kiln.container().health()).status === 'ok';
    } catch {
      return false;
    }
  }

  /** Container name → the pipelines whose `/containers` name it, and the first one's category. */
  async #usage(): Promise<Map<string, Usage>> {
    const pipelines = this.#entries.filter(isPipeline);
    const lists = await Promise.all(pipelines.map((entry) => this.#containersOf(entry)));
    const uses = new Map<string, Usage>();
    pipelines.forEach((pipeline, index) => {
      for (const { name, category } of lists[index]!) {
        const usage = uses.get(name) ?? { category, pipelines: [] };
        usage.pipelines.push(pipeline.name);
        uses.set(name, usage);
      }
    });
    return uses;
  }

  async #containersOf(entry: Entry): Promise<Pick<ContainerInfo, 'name' | 'category'>[]> {
    if (this.#fresh(entry.uses)) return entry.uses!.value;
    try {
      const containers = await entry.kiln.pipeline().containers();
      entry.uses = {
        value: containers.map(({ name, category }) => ({ name, category })),
        at: this.#now(),
      };
    } catch (error) {
      this.#unavailable(entry, 'pipeline containers unavailable', error);
    }
    return entry.uses?.value ?? [];
  }

  #fresh(cached: Cached<unknown> | undefined): boolean {
    return cached !== undefined && this.#now() - cached.at < this.#cacheMs;
  }

  #unavailable(entry: Entry, message: string, error: unknown): void {
    entry.answered = false;
    this.#logger.warn(message, {
      container: entry.name,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Who uses a container. */
interface Usage {
  category: ContainerCategory;
  pipelines: string[];
}

function isPipeline(entry: Entry): boolean {
  return entry.described?.value.kind === ContainerKind.Pipeline;
}

/** A container's path behind the gateway, which serves the dashboard too. */
function gatewayUrl(name: string): string {
  return `/containers/${name}/`;
}
