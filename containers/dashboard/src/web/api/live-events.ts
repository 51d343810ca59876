import type { ArtifactSummary } from '@kiln/api';
import { containerPath } from './paths.js';

/** What a subscriber to a container's `/events` is told. */
export interface LiveListener {
  /** An `artifact` event: the summary after a status or progress change. */
  artifact(summary: ArtifactSummary): void;
  /**
   * The stream (re)opened. After a reconnect, events may have been missed: reload what the
   * view shows. The first open is reported too, with `reconnected` false.
   */
  open?(reconnected: boolean): void;
}

interface Source {
  events: EventSource;
  listeners: Set<LiveListener>;
  opened: boolean;
}

/**
 * One EventSource per container `/events`, shared by every element that watches that
 * container and closed when the last one unsubscribes. This is the dashboard's only source of
 * live updates: nothing polls.
 */
export class LiveEvents {
  readonly #url: (path: string) => string;
  readonly #sources = new Map<string, Source>();

  constructor(url: (path: string) => string) {
    this.#url = url;
  }

  /** Watches `container`; returns the function that stops watching. */
  subscribe(container: string, listener: LiveListener): () => void {
    const source = this.#sources.get(container) ?? this.#open(container);
    source.listeners.add(listener);
    if (source.opened && source.events.readyState === EventSource.OPEN) listener.open?.(false);
    return () => {
      source.listeners.delete(listener);
      if (source.listeners.size === 0) {
        source.events.close();
        this.#sources.delete(container);
      }
    };
  }

  /** Closes every stream (after signing in, views subscribe again with the new cookie). */
  reset(): void {
    for (const source of this.#sources.values()) source.events.close();
    this.#sources.clear();
  }

  #open(container: string): Source {
    const events = new EventSource(this.#url(`${containerPath(container)}/events`), { withCredentials: true });
    const source: Source = { events, listeners: new Set(), opened: false };
    events.addEventListener('open', () => {
      const reconnected = source.opened;
      source.opened = true;
      for (const listener of [...source.listeners]) listener.open?.(reconnected);
    });
    events.addEventListener('artifact', (event) => {
      const summary = JSON.parse((event as MessageEvent<string>).data) as ArtifactSummary;
      for (const listener of [...source.listeners]) listener.artifact(summary);
    });
    this.#sources.set(container, source);
    return source;
  }
}
