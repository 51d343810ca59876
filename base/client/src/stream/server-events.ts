import { KilnEventName, type ArtifactSummary } from '@kiln/api';
import type { HttpClient } from '../http/http-client.js';
import { namedEvents, type EventsOptions } from './named-events.js';

export type { EventsOptions } from './named-events.js';

/** An event from `/events`: one per status or progress change of an artifact (or run). */
export interface ArtifactEvent {
  type: typeof KilnEventName.Artifact;
  artifact: ArtifactSummary;
  /** The SSE `id`, when the server sends one. */
  id: string | undefined;
}

/**
 * Iterates a tool or pipeline container's `/events`: its `artifact` events, reconnecting as
 * {@link namedEvents} does.
 */
export async function* serverEvents(
  http: HttpClient,
  options: EventsOptions = {},
): AsyncGenerator<ArtifactEvent> {
  for await (const event of namedEvents(http, [KilnEventName.Artifact], options)) {
    yield { type: KilnEventName.Artifact, artifact: event.data as ArtifactSummary, id: event.id };
  }
}
