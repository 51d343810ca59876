import type { ArtifactSummary } from '@kiln/api';

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
  /** Every summary change. */
  onAnyArtifact(listener: (summary: ArtifactSummary) => void): Unsubscribe;
  /** The summary changes of one artifact. */
  onArtifact(name: string, listener: (summary: ArtifactSummary) => void): Unsubscribe;
  /** Log appends of one artifact. */
  onLog(name: string, listener: () => void): Unsubscribe;
  /** Metric changes of one artifact. */
  onMetrics(name: string, listener: () => void): Unsubscribe;
}
