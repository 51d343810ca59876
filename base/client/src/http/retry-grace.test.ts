import { describe, expect, it } from 'vitest';
import { KilnApiError } from '../errors/kiln-api-error.js';
import { retryWithGrace } from './retry-grace.js';

const BACKOFF = { retryDelay: 1, maxRetryDelay: 1 };
const unreachable = (): KilnApiError =>
  KilnApiError.client('CONNECTION_FAILED', 'Connection failed', 'no answer', 502, {
    retryable: true,
  });

describe('retryWithGrace', () => {
  it('tries a retryable failure again until the operation succeeds', async () => {
    let calls = 0;
    const result = await retryWithGrace(
      async () => {
        calls += 1;
        if (calls < 3) throw unreachable();
        return 'ok';
      },
      { graceMs: 60_000, backoff: BACKOFF },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('gives up at once on an error that is not retryable, and when the grace is spent', async () => {
    let calls = 0;
    const refused = KilnApiError.client('VALIDATION_FAILED', 'Invalid', 'no', 422);
    const first = retryWithGrace(
      async () => {
        calls += 1;
        throw refused;
      },
      { graceMs: 60_000, backoff: BACKOFF },
    );
    await expect(first).rejects.toBe(refused);
    expect(calls).toBe(1);
    const spent = retryWithGrace(
      async () => {
        throw unreachable();
      },
      { graceMs: 0, backoff: BACKOFF },
    );
    await expect(spent).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });

  it('stops with the reason of its signal', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const pending = retryWithGrace(
      async () => {
        controller.abort(reason);
        throw unreachable();
      },
      { graceMs: 60_000, signal: controller.signal, backoff: BACKOFF },
    );
    await expect(pending).rejects.toBe(reason);
  });
});
