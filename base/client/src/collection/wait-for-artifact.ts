import { isFinalStatus, type ArtifactSummary } from '@kiln/api';
import { ClientErrorCode, KilnApiError } from '../errors/kiln-api-error.js';
import type { HttpClient } from '../http/http-client.js';
import { serverEvents } from '../stream/server-events.js';

/** The longest `?wait=` the API allows, in seconds. */
const MAX_WAIT_SECONDS = 60;

/** Options of `wait()`. */
export interface WaitOptions {
  /** Milliseconds to wait at most; then `wait()` throws `WAIT_TIMEOUT`. @defaultValue no limit */
  timeout?: number;
  /**
   * Called with the current summary once the wait starts watching, then at every change; changes
   * come from `/events`, which is only opened when this is given.
   */
  onProgress?: (summary: ArtifactSummary) => void;
  signal?: AbortSignal;
}

/**
 * Waits for an artifact to reach a final state with the `?wait=` long-poll (one request at most
 * every 60 s, no busy polling) and returns its final summary, whatever that state is.
 */
export async function waitForArtifact(
  http: HttpClient,
  path: string,
  name: string,
  options: WaitOptions = {},
): Promise<ArtifactSummary> {
  const deadline = options.timeout === undefined ? Infinity : Date.now() + options.timeout;
  const report = dedupe(options.onProgress);
  const stopEvents = options.onProgress
    ? watchEvents(http, path, name, report, options.signal)
    : () => undefined;
  try {
    let last: ArtifactSummary | undefined;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const where = last ? ` (still ${last.status})` : '';
        throw KilnApiError.client(
          ClientErrorCode.WaitTimeout,
          'Wait timeout',
          `artifact '${name}' did not finish within ${options.timeout} ms${where}`,
          504,
          { retryable: true },
        );
      }
      const seconds = Math.min(MAX_WAIT_SECONDS, Math.ceil(remaining) / 1000);
      last = await http.json<ArtifactSummary>('GET', `${path}/status`, {
        query: { wait: seconds },
        extraTimeout: seconds * 1000,
        call: options.signal ? { signal: options.signal } : {},
      });
      report(last);
      if (isFinalStatus(last.status)) return last;
    }
  } finally {
    stopEvents();
  }
}

/**
 * Follows `/events` for one artifact until stopped, reading its status each time the stream
 * opens so that nothing between two connections is missed; a failing stream is given up quietly.
 */
function watchEvents(
  http: HttpClient,
  path: string,
  name: string,
  report: (summary: ArtifactSummary) => void,
  signal: AbortSignal | undefined,
): () => void {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  signal?.addEventListener('abort', abort, { once: true });
  const onOpen = (): void => {
    http
      .json<ArtifactSummary>('GET', `${path}/status`, { call: { signal: controller.signal } })
      .then(
        (summary) => controller.signal.aborted || report(summary),
        () => undefined,
      );
  };
  void (async () => {
    try {
      for await (const event of serverEvents(http, { signal: controller.signal, onOpen })) {
        if (event.artifact.name === name && !controller.signal.aborted) report(event.artifact);
      }
    } catch {
      // progress is a courtesy: the long-poll alone decides when the wait ends
    }
  })();
  return () => {
    signal?.removeEventListener('abort', abort);
    controller.abort();
  };
}

/** Passes a summary on only when its status, progress or message changed. */
function dedupe(
  onProgress: ((summary: ArtifactSummary) => void) | undefined,
): (summary: ArtifactSummary) => void {
  let key = '';
  return (summary) => {
    const next = `${summary.status}|${summary.progress}|${summary.message ?? ''}`;
    if (next === key || !onProgress) return;
    key = next;
    onProgress(summary);
  };
}
