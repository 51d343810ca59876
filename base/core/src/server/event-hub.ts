import type { ArtifactSummary } from '@kiln/api';
import { EventEmitter } from 'node:events';

/**
 * In-process fan-out of artifact changes: SSE clients, `?wait=` long-polls and `?follow=` logs
 * listen here, so none of them polls the store.
 */
export class EventHub {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every open long-poll and SSE stream is a listener; thousands are normal.
    this.#emitter.setMaxListeners(0);
  }

  /** A summary changed (status or progress). */
  artifactChanged(summary: ArtifactSummary): void {
    this.#emitter.emit('artifact', summary);
    this.#emitter.emit(`artifact:${summary.name}`, summary);
  }

  /** Bytes were appended to an artifact's log. */
  logAppended(name: string): void {
    this.#emitter.emit(`log:${name}`);
  }

  /** An artifact's metrics changed. */
  metricsChanged(name: string): void {
    this.#emitter.emit(`metric:${name}`);
  }

  /** Listens to every summary change; returns the function that stops listening. */
  onAnyArtifact(listener: (summary: ArtifactSummary) => void): () => void {
    this.#emitter.on('artifact', listener);
    return () => this.#emitter.off('artifact', listener);
  }

  onArtifact(name: string, listener: (summary: ArtifactSummary) => void): () => void {
    this.#emitter.on(`artifact:${name}`, listener);
    return () => this.#emitter.off(`artifact:${name}`, listener);
  }

  onLog(name: string, listener: () => void): () => void {
    this.#emitter.on(`log:${name}`, listener);
    return () => this.#emitter.off(`log:${name}`, listener);
  }
}
