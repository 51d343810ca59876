import type { ArtifactSummary } from '@kiln/api';
import type { StopRequest } from '../store/build-queue.js';

/** Stops a subscription. */
export type Unsubscribe = () => void;

/**
 * The fan-out of artifact changes: SSE clients, `?wait=` long-polls and `?follow=` logs listen
 * here, so none of them polls the store. The embedded implementation is in-process
 * (`LocalEventHub`); one over a shared database (LISTEN/NOTIFY) lets every replica of a container
 * hear the changes any of them makes. Publishing never blocks and never throws.
 */
export interface EventHub {
  /** A summary changed (status or progress). */
  artifactChanged(summary: ArtifactSummary): void;
  /** Bytes were appended to an artifact's log. */
  logAppended(name: string): void;
  /** An artifact's metrics changed. */
  metricsChanged(name: string): void;
  /** Asks whichever process holds the build of `name` to stop it. */
  stopRequested(name: string, request: StopRequest): void;
  /** Every summary change. */
  onAnyArtifact(listener: (summary: ArtifactSummary) => void): Unsubscribe;
  /** The summary changes of one artifact. */
  onArtifact(name: string, listener: (summary: ArtifactSummary) => void): Unsubscribe;
  /** Log appends of one artifact. */
  onLog(name: string, listener: () => void): Unsubscribe;
  /** Metric changes of one artifact. */
  onMetrics(name: string, listener: () => void): Unsubscribe;
  /** Stop requests (see `stopRequested`), for the builds this process holds. */
  onStopRequest(listener: (name: string, request: StopRequest) => void): Unsubscribe;
  /**
   * Changes may have been missed (a shared hub lost its connection and has it back): whoever
   * keeps state from the events reads it again. The hub itself tells the listeners of each
   * artifact its current summary. Never called by the in-process hub.
   */
  onResync(listener: () => void): Unsubscribe;
}
