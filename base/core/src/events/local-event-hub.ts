import type { ArtifactSummary } from '@kiln/api';
import { EventEmitter } from 'node:events';
import type { StopRequest } from '../store/build-queue.js';
import type { EventHub, Unsubscribe } from './event-hub.js';

/** The in-process `EventHub` of the embedded container: one EventEmitter. */
export class LocalEventHub implements EventHub {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every open long-poll and SSE stream is a listener; thousands are normal.
    this.#emitter.setMaxListeners(0);
  }

  artifactChanged(summary: ArtifactSummary): void {
    this.#emitter.emit('artifact', summary);
    this.#emitter.emit(`artifact:${summary.name}`, summary);
  }

  logAppended(name: string): void {
    this.#emitter.emit(`log:${name}`);
  }

  metricsChanged(name: string): void {
    this.#emitter.emit(`metric:${name}`);
  }

  stopRequested(name: string, request: StopRequest): void {
    this.#emitter.emit('stop', name, request);
  }

  onAnyArtifact(listener: (summary: ArtifactSummary) => void): Unsubscribe {
    return this.#on('artifact', listener);
  }

  onArtifact(name: string, listener: (summary: ArtifactSummary) => void): Unsubscribe {
    return this.#on(`artifact:${name}`, listener);
  }

  onLog(name: string, listener: () => void): Unsubscribe {
    return this.#on(`log:${name}`, listener);
  }

  onMetrics(name: string, listener: () => void): Unsubscribe {
    return this.#on(`metric:${name}`, listener);
  }

  onStopRequest(listener: (name: string, request: StopRequest) => void): Unsubscribe {
    this.#emitter.on('stop', listener);
    return () => this.#emitter.off('stop', listener);
  }

  onResync(): Unsubscribe {
    // One process: nothing is ever missed.
    return () => undefined;
  }

  /** The artifacts someone listens to now (their summaries or their logs), by name. */
  watchedNames(): string[] {
    const names = new Set<string>();
    for (const event of this.#emitter.eventNames()) {
      const match = /^(?:artifact|log):(.+)$/.exec(String(event));
      if (match) names.add(match[1]!);
    }
    return [...names];
  }

  // A listener taking no argument fits here too (TypeScript allows fewer parameters).
  #on(event: string, listener: (summary: ArtifactSummary) => void): Unsubscribe {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
}
