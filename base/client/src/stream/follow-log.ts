import { isFinalStatus, type ArtifactSummary } from '@kiln/api';
import { ClientErrorCode, KilnApiError, isKilnApiError } from '../errors/kiln-api-error.js';
import { backoffDelay, sleep } from '../http/backoff.js';
import { toKilnApiError } from '../http/error-mapping.js';
import type { HttpClient } from '../http/http-client.js';
import type { CallOptions } from '../kiln-options.js';
import { LineSplitter } from './line-splitter.js';
import { streamDeadline } from './stream-deadline.js';

/**
 * Options of `followLog()`. `signal` stops following (the iterator then throws its reason);
 * `timeout` bounds the whole follow (then `REQUEST_TIMEOUT`).
 */
export interface FollowLogOptions extends CallOptions {
  /** Byte offset to start from. @defaultValue 0 */
  offset?: number;
}

/**
 * Yields an artifact's log line by line with `?follow=1` until its build ends. A broken
 * connection is resumed from the last complete line (`?offset=`), so no line is lost or repeated;
 * when the server cannot be reached again, the iterator throws `CONNECTION_FAILED`.
 */
export async function* followLog(
  http: HttpClient,
  path: string,
  status: () => Promise<ArtifactSummary>,
  options: FollowLogOptions = {},
): AsyncGenerator<string> {
  let offset = options.offset ?? 0;
  const call = streamDeadline(options);
  for (let failures = 0; ;) {
    const stream = await http.stream(`${path}/log`, { query: { follow: 1, offset }, call: call() });
    const splitter = new LineSplitter();
    let ended = false;
    try {
      for await (const chunk of stream.body) {
        const lines = splitter.push(chunk as Buffer);
        if (lines.length > 0) failures = 0;
        yield* lines;
      }
      ended = true;
    } catch (error) {
      if (stream.signal.signal?.aborted) throw toKilnApiError(error, stream.request, stream.signal);
      if (isKilnApiError(error)) throw error;
    } finally {
      stream.body.destroy();
    }
    offset += splitter.consumed;
    // A follow also ends when its server stops: only a final status means the log is complete.
    if (ended && isFinalStatus((await status()).status)) {
      yield* splitter.flush();
      return;
    }
    failures += 1;
    if (failures > http.options.retries) {
      throw KilnApiError.client(
        ClientErrorCode.ConnectionFailed,
        'Connection failed',
        `the log stream of ${http.url(path)} keeps breaking`,
        502,
        { retryable: true },
      );
    }
    await sleep(backoffDelay(failures, http.options), options.signal);
  }
}
