import type { ArtifactSummary, ContainerArtifactSummary, ContainerInfo } from '@kiln/api';
import type { Logger } from '@kiln/core';
import { readSse } from './sse-parser.js';
import type { ServiceEndpoint } from './service-urls.js';

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
  readonly #pipeline: ServiceEndpoint;
  readonly #logger: Logger;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #sinks = new Set<PipelineEventSink>();
  #abort: AbortController | undefined;
  #ready: Promise<void> | undefined;

  constructor(pipeline: ServiceEndpoint, logger: Logger, options: PipelineEventsOptions = {}) {
    this.#pipeline = pipeline;
    this.#logger = logger.child({ pipeline: pipeline.name });
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
    const firsts = [
      this.#followFirst({ name: this.#pipeline.name, url: this.#pipeline.url }, signal, false),
    ];
    const containers = await this.#listContainers(signal);
    if (containers)
      firsts.push(...containers.map((container) => this.#followFirst(container, signal, false)));
    else void this.#listContainersLater(signal);
    await Promise.all(firsts);
  }

  /** Resolves after the first attempt to follow `container`, which then goes on following it. */
  #followFirst(
    container: Pick<ContainerInfo, 'name' | 'url'>,
    signal: AbortSignal,
    late: boolean,
  ): Promise<void> {
    return new Promise((resolve) => void this.#follow(container, signal, resolve, late));
  }

  /** The pipeline's containers, or undefined when the pipeline does not answer. */
  async #listContainers(
    signal: AbortSignal,
  ): Promise<Pick<ContainerInfo, 'name' | 'url'>[] | undefined> {
    try {
      const response = await fetch(`${this.#pipeline.url}/containers`, { signal });
      if (!response.ok) throw new Error(`/containers answered ${response.status}`);
      return ((await response.json()) as ContainerInfo[]).map(({ name, url }) => ({ name, url }));
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
        for (const container of containers) void this.#followFirst(container, signal, true);
        return;
      }
    }
  }

  /**
   * Follows one container's `/events` until `signal` aborts, reconnecting with backoff.
   * `firstTry` is called after the first attempt, connected or not. A `late` stream (one
   * that clients were told was ready without it) sends `resync` when it first connects.
   */
  async #follow(
    container: Pick<ContainerInfo, 'name' | 'url'>,
    signal: AbortSignal,
    firstTry: () => void,
    late: boolean,
  ): Promise<void> {
    let attempts = 0;
    let wait = this.#retryMs;
    while (!signal.aborted) {
      attempts++;
      try {
        const response = await fetch(`${container.url.replace(/\/+$/, '')}/events`, {
          signal,
          headers: { accept: 'text/event-stream' },
        });
        if (!response.ok || !response.body) throw new Error(`/events answered ${response.status}`);
        if (attempts > 1 || late) for (const sink of this.#sinks) sink.resync(container.name);
        firstTry();
        wait = this.#retryMs;
        await readSse(response.body, ({ event, data }) => {
          if (event !== 'artifact') return;
          const summary = { ...(JSON.parse(data) as ArtifactSummary), container: container.name };
          for (const sink of this.#sinks) sink.artifact(summary);
        });
      } catch (error) {
        if (signal.aborted) return;
        firstTry();
        this.#logger.debug('container events unavailable', {
          container: container.name,
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
