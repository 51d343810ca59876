import type { ContainerArtifactSummary, ContainerInfo } from '@kiln/api';
import type { PipelineClient, ToolClient } from '@kiln/client';
import type { Logger } from '@kiln/core';

/** What a client of a merged stream is sent. */
export interface PipelineEventSink {
  /** An artifact of any container of the pipeline (its runs included) changed. */
  artifact(summary: ContainerArtifactSummary): void;
  /**
   * Every container's stream is open (or has failed once): a listing taken now misses nothing.
   * Sent once per client.
   */
  ready(): void;
  /** A container's stream broke and opened again: events may have been lost, list again. */
  resync(container: string): void;
}

/** Options of {@link PipelineEvents}. */
export interface PipelineEventsOptions {
  /**
   * First wait before reconnecting to a container; doubles up to `maxRetryMs`.
   * @defaultValue 1000
   */
  retryMs?: number;
  /** @defaultValue 30000 */
  maxRetryMs?: number;
}

/** How the merged stream reaches containers: `@kiln/client`, through the project's topology. */
export interface PipelineEventsClients {
  /** The pipeline itself. */
  pipeline: PipelineClient;
  /** A container by the URL the pipeline's `/containers` gives (compose form). */
  container(url: string): ToolClient;
}

/**
 * One stream for a whole pipeline: the dashboard subscribes to the pipeline's `/events` and to
 * each of its containers' `/events` (the pipeline's `/containers` names them) and passes every
 * `artifact` event on, tagged with its container. A browser then needs one connection per
 * pipeline rather than one per container: browsers allow only six per host over HTTP/1.1, and
 * a pipeline has more containers than that.
 *
 * Upstream connections are shared by every client of the pipeline, opened with the first
 * client and closed with the last.
 */
export class PipelineEvents {
  readonly #name: string;
  readonly #clients: PipelineEventsClients;
  readonly #logger: Logger;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #sinks = new Set<PipelineEventSink>();
  #abort: AbortController | undefined;
  #ready: Promise<void> | undefined;

  constructor(
    name: string,
    clients: PipelineEventsClients,
    logger: Logger,
    options: PipelineEventsOptions = {},
  ) {
    this.#name = name;
    this.#clients = clients;
    this.#logger = logger.child({ pipeline: name });
    this.#retryMs = options.retryMs ?? 1000;
    this.#maxRetryMs = options.maxRetryMs ?? 30_000;
  }

  /** Adds a client; returns the function that removes it. */
  subscribe(sink: PipelineEventSink): () => void {
    this.#sinks.add(sink);
    if (!this.#abort) this.#start();
    void this.#ready!.then(() => {
      if (this.#sinks.has(sink)) sink.ready();
    });
    return () => {
      this.#sinks.delete(sink);
      if (this.#sinks.size === 0) this.#stop();
    };
  }

  /** Closes every upstream connection. */
  close(): void {
    this.#sinks.clear();
    this.#stop();
  }

  #start(): void {
    const abort = new AbortController();
    this.#abort = abort;
    this.#ready = this.#connectAll(abort.signal);
  }

  #stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#ready = undefined;
  }

  async #connectAll(signal: AbortSignal): Promise<void> {
    const firsts = [this.#followFirst(this.#name, this.#clients.pipeline, signal, false)];
    const containers = await this.#listContainers(signal);
    if (containers) firsts.push(...containers.map((c) => this.#followContainer(c, signal, false)));
    else void this.#listContainersLater(signal);
    await Promise.all(firsts);
  }

  #followContainer(
    container: Pick<ContainerInfo, 'name' | 'url'>,
    signal: AbortSignal,
    late: boolean,
  ): Promise<void> {
    const client = this.#clients.container(container.url);
    return this.#followFirst(container.name, client, signal, late);
  }

  /** Resolves after the first attempt to follow a container, which then goes on following it. */
  #followFirst(
    name: string,
    client: ToolClient | PipelineClient,
    signal: AbortSignal,
    late: boolean,
  ): Promise<void> {
    return new Promise((resolve) => void this.#follow(name, client, signal, resolve, late));
  }

  /** The pipeline's containers, or undefined when the pipeline does not answer. */
  async #listContainers(
    signal: AbortSignal,
  ): Promise<Pick<ContainerInfo, 'name' | 'url'>[] | undefined> {
    try {
      const containers = await this.#clients.pipeline.containers({ signal });
      return containers.map(({ name, url }) => ({ name, url }));
    } catch (error) {
      if (!signal.aborted)
        this.#logger.warn('pipeline containers unavailable', { reason: String(error) });
      return undefined;
    }
  }

  /** Asks for the containers again until the pipeline answers, then follows them too. */
  async #listContainersLater(signal: AbortSignal): Promise<void> {
    for (let wait = this.#retryMs; !signal.aborted; wait = Math.min(wait * 2, this.#maxRetryMs)) {
      await delay(wait, signal);
      const containers = signal.aborted ? undefined : await this.#listContainers(signal);
      if (containers) {
        for (const container of containers) void this.#followContainer(container, signal, true);
        return;
      }
    }
  }

  /**
   * Follows one container's `/events` until `signal` aborts, reconnecting with backoff.
   * `firstTry` is called after the first attempt, connected or not. A stream that connects after
   * an earlier attempt, or a `late` one (clients were told it was ready without it), sends
   * `resync`: events may have been missed meanwhile.
   */
  async #follow(
    name: string,
    client: ToolClient | PipelineClient,
    signal: AbortSignal,
    firstTry: () => void,
    late: boolean,
  ): Promise<void> {
    let tried = late;
    let wait = this.#retryMs;
    const onOpen = (): void => {
      if (tried) for (const sink of this.#sinks) sink.resync(name);
      tried = true;
      firstTry();
      wait = this.#retryMs;
    };
    while (!signal.aborted) {
      try {
        for await (const event of client.events({ signal, onOpen })) {
          const summary = { ...event.artifact, container: name };
          for (const sink of this.#sinks) sink.artifact(summary);
        }
      } catch (error) {
        if (signal.aborted) return;
        tried = true;
        firstTry();
        this.#logger.debug('container events unavailable', {
          container: name,
          reason: String(error),
        });
      }
      await delay(wait, signal);
      wait = Math.min(wait * 2, this.#maxRetryMs);
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
