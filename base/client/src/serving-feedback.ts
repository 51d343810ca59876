import {
  ErrorCode,
  isFinalRetrainStatus,
  type FeedbackInfo,
  type FeedbackStats,
  type RetrainInfo,
  type RetrainPolicy,
  type RetrainPolicyUpdate,
} from '@kiln/api';
import { Readable } from 'node:stream';
import { assertName } from './collection/names.js';
import { ClientErrorCode, KilnApiError } from './errors/kiln-api-error.js';
import type { HttpClient } from './http/http-client.js';
import { encodeMultipart, fileParts, type InputFile } from './http/multipart-body.js';
import type { CallOptions } from './kiln-options.js';
import { namedEvents } from './stream/named-events.js';

/** A label: a class index (0–9) or a class name (`'Sneaker'`). */
export type LabelInput = number | string;

/** An image for `label()` / `predict()`: a local path, its bytes, or a stream. */
export type ImageInput = InputFile | Uint8Array;

/** Options of `feedbackList()`. */
export interface FeedbackListOptions extends CallOptions {
  model?: string;
  /** @defaultValue 50 (at most 1000) */
  limit?: number;
}

/** Options of `waitForRetrain()`. */
export interface RetrainWaitOptions {
  /** Milliseconds to wait at most; then `WAIT_TIMEOUT`. @defaultValue no limit */
  timeout?: number;
  /** Called with the run at once and at each change. */
  onProgress?: (run: RetrainInfo) => void;
  /**
   * What to wait for. @defaultValue the run has ended (`isFinalRetrainStatus`)
   * @example `{ until: (run) => run.status !== 'snapshotting' }`: its pipeline run has started
   */
  until?: (run: RetrainInfo) => boolean;
  signal?: AbortSignal;
}

const enc = encodeURIComponent;

function modelPath(model: string): string {
  assertName(model, 'model');
  return `models/${enc(model)}`;
}

/** An image as an input file part. */
export function imageFile(image: ImageInput): InputFile {
  return image instanceof Uint8Array
    ? { stream: Readable.from([Buffer.from(image)]), filename: 'image', size: image.byteLength }
    : image;
}

/** `POST /feedback` (JSON): a prediction's right label. */
export function giveFeedback(
  http: HttpClient,
  predictionId: string,
  label: LabelInput,
  call?: CallOptions,
): Promise<FeedbackInfo> {
  return http.json('POST', 'feedback', { json: { predictionId, label }, call });
}

/** `POST /feedback` (multipart): an image never predicted, with its label. */
export async function labelImage(
  http: HttpClient,
  model: string,
  image: ImageInput,
  label: LabelInput,
  call?: CallOptions,
): Promise<FeedbackInfo> {
  assertName(model, 'model');
  const multipart = encodeMultipart([
    { name: 'model', value: model },
    { name: 'label', value: String(label) },
    ...(await fileParts({ image: imageFile(image) })),
  ]);
  return http.json('POST', 'feedback', {
    body: multipart.body,
    headers: {
      'content-type': multipart.contentType,
      ...(multipart.length === undefined ? {} : { 'content-length': String(multipart.length) }),
    },
    call,
  });
}

/** `GET /feedback`, newest first. */
export function listFeedback(
  http: HttpClient,
  options: FeedbackListOptions = {},
): Promise<FeedbackInfo[]> {
  const { model, limit, ...call } = options;
  if (model !== undefined) assertName(model, 'model');
  return http.json('GET', 'feedback', { query: { model, limit }, call });
}

/** `GET /feedback/stats?model=`: progress toward the next retraining run. */
export function feedbackStats(
  http: HttpClient,
  model?: string,
  call?: CallOptions,
): Promise<FeedbackStats> {
  if (model !== undefined) assertName(model, 'model');
  return http.json('GET', 'feedback/stats', { query: { model }, call });
}

/** `GET /models/{model}/policy`. */
export function getPolicy(
  http: HttpClient,
  model: string,
  call?: CallOptions,
): Promise<RetrainPolicy> {
  return http.json('GET', `${modelPath(model)}/policy`, { call });
}

/** `PUT /models/{model}/policy`: changes the fields given; resolves with the policy in force. */
export function setPolicy(
  http: HttpClient,
  model: string,
  update: RetrainPolicyUpdate,
  call?: CallOptions,
): Promise<RetrainPolicy> {
  return http.json('PUT', `${modelPath(model)}/policy`, { json: update, call });
}

/** `POST /models/{model}/retrains`: starts a retraining run by hand. */
export function startRetrain(
  http: HttpClient,
  model: string,
  call?: CallOptions,
): Promise<RetrainInfo> {
  return http.json('POST', `${modelPath(model)}/retrains`, { call });
}

/** `GET /models/{model}/retrains`, newest first. */
export function listRetrains(
  http: HttpClient,
  model: string,
  call?: CallOptions,
): Promise<RetrainInfo[]> {
  return http.json('GET', `${modelPath(model)}/retrains`, { call });
}

/** `GET /models/{model}/retrains/{id}`. */
export function getRetrain(
  http: HttpClient,
  model: string,
  id: number,
  call?: CallOptions,
): Promise<RetrainInfo> {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw KilnApiError.client(
      ErrorCode.BadRequest,
      'Invalid id',
      `a retraining run's id is a positive integer, not ${JSON.stringify(id)}`,
      400,
    );
  }
  return http.json('GET', `${modelPath(model)}/retrains/${id}`, { call });
}

/**
 * Waits until a retraining run ends (promoted, rejected, failed or cancelled), or reaches what
 * `until` asks, and returns it: follows the container's `retrain` events, and reads the run
 * each time the stream (re)opens, so a run that ended before the stream opened is seen too.
 */
export async function waitForRetrain(
  http: HttpClient,
  model: string,
  id: number,
  options: RetrainWaitOptions = {},
): Promise<RetrainInfo> {
  const abort = new AbortController();
  let result: RetrainInfo | undefined;
  const settle = (run: RetrainInfo): void => {
    if (result) return;
    options.onProgress?.(run);
    if (!(options.until ?? ((r: RetrainInfo) => isFinalRetrainStatus(r.status)))(run)) return;
    result = run;
    abort.abort();
  };
  const stop = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  const timer =
    options.timeout === undefined
      ? undefined
      : setTimeout(() => {
          abort.abort(
            KilnApiError.client(
              ClientErrorCode.WaitTimeout,
              'Wait timeout',
              `retraining run ${id} of '${model}' did not end within ${options.timeout} ms`,
              504,
              { retryable: true },
            ),
          );
        }, options.timeout);
  try {
    const events = namedEvents(http, ['retrain'], {
      signal: abort.signal,
      onOpen: () => {
        getRetrain(http, model, id, { signal: abort.signal }).then(settle, (error: unknown) => {
          if (!abort.signal.aborted) abort.abort(error);
        });
      },
    });
    for await (const event of events) {
      const run = event.data as RetrainInfo;
      if (run.model === model && run.id === id) settle(run);
    }
    throw KilnApiError.client(
      ClientErrorCode.InvalidResponse,
      'Events ended',
      'the event stream ended',
      502,
    );
  } catch (error) {
    if (result) return result;
    throw abort.signal.aborted ? abort.signal.reason : error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}
