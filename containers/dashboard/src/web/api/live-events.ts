import type { ArtifactSummary, ContainerArtifactSummary } from '@kiln/api';
import { containerPath } from './paths.js';

/** What a subscriber to live events is told. */
export interface LiveListener {
  /** An `artifact` event: a summary after a status or progress change, and its container. */
  artifact(summary: ArtifactSummary, container: string): void;
  /**
   * The stream is ready: a listing taken now misses no change. Called again with
   * `reconnected` true when events may have been lost (the stream broke and reopened): list
   * again then.
   */
  open?(reconnected: boolean): void;
}

interface Source {
  events: EventSource;
  listeners: Set<LiveListener>;
  ready: boolean;
}

/**
 * Shared EventSource subscriptions, closed when the last subscriber leaves. This is the
 * dashboard's only source of live updates: nothing polls.
 *
 * A pipeline view takes one stream for the whole pipeline (the dashboard's
 * `/pipelines/{name}/events`, which merges every container's `/events`), since a browser
 * opens at most six connections to one host; an artifact view takes its container's
 * `/events`.
 */
export class LiveEvents {
  readonly #url: (path: string) => string;
  readonly #sources = new Map<string, Source>();

  constructor(url: (path: string) => string) {
    this.#url = url;
  }

  /** Watches one container's `/events`; returns the function that stops watching. */
  subscribe(container: string, listener: LiveListener): () => void {
    return this.#subscribe(`${containerPath(container)}/events`, container, listener);
  }

  /** Watches every container of a pipeline (its runs included) through one stream. */
  subscribePipeline(pipeline: string, listener: LiveListener): () => void {
    return this.#subscribe(
      `/pipelines/${encodeURIComponent(pipeline)}/events`,
      undefined,
      listener,
    );
  }

  /** Closes every stream (after signing in, views subscribe again with the new cookie). */
  reset(): void {
    for (const source of this.#sources.values()) source.events.close();
    this.#sources.clear();
  }

  #subscribe(path: string, container: string | undefined, listener: LiveListener): () => void {
    const source = this.#sources.get(path) ?? this.#open(path, container);
    source.listeners.add(listener);
    if (source.ready) listener.open?.(false);
    return () => {
      source.listeners.delete(listener);
      if (source.listeners.size === 0) {
        source.events.close();
        this.#sources.delete(path);
      }
    };
  }

  /** `container` is set for a container's own stream; a pipeline stream names it in each event. */
  #open(path: string, container: string | undefined): Source {
    const events = new EventSource(this.#url(path), { withCredentials: true });
    const source: Source = { events, listeners: new Set(), ready: false };
    let opened = false;
    const ready = (reconnected: boolean): void => {
      source.ready = true;
      for (const listener of [...source.listeners]) listener.open?.(reconnected);
    };
    // a container stream is ready when it opens; a pipeline stream says so with `ready`
    events.addEventListener(container === undefined ? 'ready' : 'open', () => {
      ready(opened);
      opened = true;
    });
    events.addEventListener('resync', () => ready(true));
    events.addEventListener('artifact', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as ContainerArtifactSummary;
      const from = container ?? data.container;
      for (const listener of [...source.listeners]) listener.artifact(data, from);
    });
    this.#sources.set(path, source);
    return source;
  }
}
