import { ClientErrorCode, KilnApiError, isKilnApiError } from '../errors/kiln-api-error.js';
import { backoffDelay, sleep } from '../http/backoff.js';
import { toKilnApiError } from '../http/error-mapping.js';
import type { HttpClient } from '../http/http-client.js';
import type { CallOptions } from '../kiln-options.js';
import { SseParser } from './sse-parser.js';
import { streamDeadline } from './stream-deadline.js';

/**
 * Options of an `events()` iteration. `signal` ends it (the iterator then throws its reason);
 * `timeout` bounds the whole iteration (then `REQUEST_TIMEOUT`).
 */
export interface EventsOptions extends CallOptions {
  /**
   * Called each time the stream is (re)connected, before any event of that connection: events
   * from then on will be seen, so state read now leaves no gap.
   */
  onOpen?: () => void;
}

/** One named event of a stream, its data parsed. */
export interface NamedEvent {
  event: string;
  data: unknown;
  /** The SSE `id`, when the server sends one. */
  id: string | undefined;
}

/**
 * Iterates a container's `/events` (Server-Sent Events), keeping only the events named in
 * `names`, their data parsed as JSON. A dropped connection is reopened with backoff (sending
 * `Last-Event-ID`); once the retries are spent without a connection, the iterator throws
 * `CONNECTION_FAILED`. Leaving the loop (`break`) closes the connection.
 */
export async function* namedEvents(
  http: HttpClient,
  names: readonly string[],
  options: EventsOptions = {},
): AsyncGenerator<NamedEvent> {
  const parser = new SseParser();
  const call = streamDeadline(options);
  let idle = 0;
  for (;;) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (parser.lastEventId !== undefined) headers['last-event-id'] = parser.lastEventId;
    const stream = await http.stream('events', { headers, call: call() });
    options.onOpen?.();
    let got = false;
    try {
      for await (const chunk of stream.body) {
        for (const raw of parser.feed((chunk as Buffer).toString('utf8'))) {
          if (!names.includes(raw.event)) continue;
          got = true;
          yield { event: raw.event, data: parseData(raw.data, stream.request.url), id: raw.id };
        }
      }
    } catch (error) {
      if (stream.signal.signal?.aborted) throw toKilnApiError(error, stream.request, stream.signal);
      if (isKilnApiError(error)) throw error;
      // the connection broke: reopen below
    } finally {
      stream.body.destroy();
    }
    idle = got ? 1 : idle + 1;
    await sleep(backoffDelay(idle, http.options), options.signal);
  }
}

function parseData(data: string, url: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch (error) {
    throw KilnApiError.client(
      ClientErrorCode.InvalidResponse,
      'Invalid response',
      `an event from ${url} is not JSON`,
      502,
      { cause: error },
    );
  }
}
