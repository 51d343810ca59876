import { KilnEventName, type ArtifactSummary } from '@kiln/api';
import { isKilnApiError } from '../errors/kiln-api-error.js';
import { backoffDelay, sleep } from '../http/backoff.js';
import type { HttpClient } from '../http/http-client.js';
import { SseParser } from './sse-parser.js';

/** An event from `/events`: one per status or progress change of an artifact (or run). */
export interface ArtifactEvent {
  type: typeof KilnEventName.Artifact;
  artifact: ArtifactSummary;
  /** The SSE `id`, when the server sends one. */
  id: string | undefined;
}

/** Options of `events()`. */
export interface EventsOptions {
  /** Ends the iteration: the iterator then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * Called each time the stream is (re)connected, before any event of that connection: events
   * from then on will be seen, so state read now leaves no gap.
   */
  onOpen?: () => void;
}

/**
 * Iterates `/events` (Server-Sent Events). A dropped connection is reopened with backoff (sending
 * `Last-Event-ID`); once the retries are spent without a connection, the iterator throws
 * `CONNECTION_FAILED`. Leaving the loop (`break`) closes the connection.
 */
export async function* serverEvents(http: HttpClient, options: EventsOptions = {}): AsyncGenerator<ArtifactEvent> {
  const parser = new SseParser();
  let idle = 0;
  for (;;) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (parser.lastEventId !== undefined) headers['last-event-id'] = parser.lastEventId;
    const stream = await http.stream('events', { headers, call: options.signal ? { signal: options.signal } : {} });
    options.onOpen?.();
    let got = false;
    try {
      for await (const chunk of stream.body) {
        for (const raw of parser.feed((chunk as Buffer).toString('utf8'))) {
          if (raw.event !== KilnEventName.Artifact) continue;
          got = true;
          yield { type: KilnEventName.Artifact, artifact: JSON.parse(raw.data) as ArtifactSummary, id: raw.id };
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (isKilnApiError(error) || error instanceof SyntaxError) throw error;
      // the connection broke: reopen below
    } finally {
      stream.body.destroy();
    }
    idle = got ? 1 : idle + 1;
    await sleep(backoffDelay(idle, http.options), options.signal);
  }
}
