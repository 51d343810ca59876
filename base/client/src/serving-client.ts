import {
  ErrorCode,
  ModelAlias,
  ServingEventName,
  isSettledVersionStatus,
  type AliasChange,
  type ModelDetail,
  type ModelSummary,
  type ModelVersionInfo,
  type OipInferRequest,
  type OipInferResponse,
  type OipModelMetadata,
  type PredictResponse,
  type PredictionDetail,
  type PredictionInfo,
  type RegisterVersionRequest,
  type ServingDescription,
} from '@kiln/api';
import { Readable } from 'node:stream';
import { assertName } from './collection/names.js';
import { ClientErrorCode, KilnApiError, isKilnApiError } from './errors/kiln-api-error.js';
import type { HttpClient } from './http/http-client.js';
import { encodeMultipart, fileParts, type InputFile } from './http/multipart-body.js';
import type { CallOptions } from './kiln-options.js';
import { namedEvents, type EventsOptions } from './stream/named-events.js';

/** An image for `predict()`: a local path, its bytes, or a stream (see `InputFile`). */
export type ImageInput = InputFile | Uint8Array;

/** Options of the calls that may ask one version instead of the champion. */
export interface VersionCallOptions extends CallOptions {
  /** The loaded version to ask; the champion answers without one. */
  version?: number;
}

/** Options of `waitForVersion()`. */
export interface VersionWaitOptions {
  /** Milliseconds to wait at most; then `WAIT_TIMEOUT`. @defaultValue no limit */
  timeout?: number;
  signal?: AbortSignal;
}

/** Options of `predictions()`. */
export interface PredictionListOptions extends CallOptions {
  model?: string;
  /** @defaultValue 50 (at most 1000) */
  limit?: number;
  /** Only predictions older than this id. */
  before?: string;
}

/** An event of a serving container's `/events`. */
export type ServingEvent =
  | { type: 'prediction'; prediction: PredictionInfo }
  | { type: 'version'; version: ModelVersionInfo }
  | { type: 'alias'; alias: AliasChange };

/** The longest `?wait=` the API allows, in seconds. */
const MAX_WAIT_SECONDS = 60;

const enc = encodeURIComponent;

/**
 * A typed handle on a serving container (docs/api.md, "Serving container"): its models, versions and
 * aliases, predictions from an image or by the Open Inference Protocol, and the predictions it
 * keeps. Get one from `kiln.serving()` (the gateway's `serving` container) or
 * `Kiln.direct(url).serving()`.
 *
 * @example
 * ```ts
 * const serving = kiln.serving();
 * const version = await serving.register('fashion-mnist', { artifact: trainArtifactUrl });
 * await serving.waitForVersion('fashion-mnist', version.version);
 * const answer = await serving.predict('fashion-mnist', './sneaker.png');
 * console.log(answer.class, answer.probabilities[answer.label]);
 * await serving.promote('fashion-mnist', version.version);
 * ```
 */
export class ServingClient {
  readonly http: HttpClient;
  /** The container's name, when addressed through a gateway. */
  readonly name: string | undefined;

  constructor(http: HttpClient, name?: string) {
    this.http = http;
    this.name = name;
  }

  /** `GET /`: the container and the models it serves. */
  describe(call?: CallOptions): Promise<ServingDescription> {
    return this.http.json('GET', '/', { call });
  }

  /** `GET /models`. */
  models(call?: CallOptions): Promise<ModelSummary[]> {
    return this.http.json('GET', 'models', { call });
  }

  /** `GET /models/{model}`: aliases and their recent moves. */
  model(model: string, call?: CallOptions): Promise<ModelDetail> {
    return this.http.json('GET', this.#model(model), { call });
  }

  /** `GET /models/{model}/versions`, newest first. */
  versions(model: string, call?: CallOptions): Promise<ModelVersionInfo[]> {
    return this.http.json('GET', `${this.#model(model)}/versions`, { call });
  }

  /** One version as it is now. */
  version(model: string, version: number, call?: CallOptions): Promise<ModelVersionInfo> {
    return this.http.json('GET', `${this.#model(model)}/versions/${checkVersion(version)}`, {
      call,
    });
  }

  /**
   * Registers a completed model artifact as the model's next version (`202`, status
   * `loading`); {@link waitForVersion} tells how its load and evaluation ended.
   */
  register(
    model: string,
    request: RegisterVersionRequest,
    call?: CallOptions,
  ): Promise<ModelVersionInfo> {
    return this.http.json('POST', `${this.#model(model)}/versions`, { json: request, call });
  }

  /** Waits (long-polling `?wait=`) until a version is no longer `loading`, and returns it. */
  async waitForVersion(
    model: string,
    version: number,
    options: VersionWaitOptions = {},
  ): Promise<ModelVersionInfo> {
    const deadline = options.timeout === undefined ? Infinity : Date.now() + options.timeout;
    const path = `${this.#model(model)}/versions/${checkVersion(version)}`;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw KilnApiError.client(
          ClientErrorCode.WaitTimeout,
          'Wait timeout',
          `version ${version} of '${model}' was still loading after ${options.timeout} ms`,
          504,
          { retryable: true },
        );
      }
      const seconds = Math.min(MAX_WAIT_SECONDS, Math.ceil(remaining) / 1000);
      const info = await this.http.json<ModelVersionInfo>('GET', path, {
        query: { wait: seconds },
        extraTimeout: seconds * 1000,
        call: options.signal ? { signal: options.signal } : {},
      });
      if (isSettledVersionStatus(info.status)) return info;
    }
  }

  /** `PUT /models/{model}/aliases/{alias}`: points an alias at a version; resolves after the switch. */
  setAlias(
    model: string,
    alias: ModelAlias,
    version: number,
    call?: CallOptions,
  ): Promise<ModelDetail> {
    return this.http.json('PUT', `${this.#model(model)}/aliases/${enc(alias)}`, {
      json: { version: checkVersion(version) },
      call: { ...call, timeout: call?.timeout ?? 5 * 60_000 },
    });
  }

  /** Makes a version the champion: a promotion, or a roll back to an earlier one. */
  promote(model: string, version: number, call?: CallOptions): Promise<ModelDetail> {
    return this.setAlias(model, ModelAlias.Champion, version, call);
  }

  /** `POST /models/{model}/predict`: one image file (PNG, JPEG or PGM), sent as multipart. */
  async predict(
    model: string,
    image: ImageInput,
    options: VersionCallOptions = {},
  ): Promise<PredictResponse> {
    const { version, ...call } = options;
    const file: InputFile =
      image instanceof Uint8Array
        ? { stream: Readable.from([Buffer.from(image)]), filename: 'image', size: image.byteLength }
        : image;
    const multipart = encodeMultipart(await fileParts({ image: file }));
    return this.http.json('POST', `${this.#model(model)}/predict`, {
      body: multipart.body,
      query: { version: version === undefined ? undefined : checkVersion(version) },
      headers: {
        'content-type': multipart.contentType,
        ...(multipart.length === undefined ? {} : { 'content-length': String(multipart.length) }),
      },
      call,
    });
  }

  /** `POST /v2/models/{model}[/versions/{v}]/infer`: an Open Inference Protocol request. */
  infer(
    model: string,
    request: OipInferRequest,
    options: VersionCallOptions = {},
  ): Promise<OipInferResponse> {
    const { version, ...call } = options;
    return this.http.json('POST', `${this.#oip(model, version)}/infer`, { json: request, call });
  }

  /** `GET /v2/models/{model}[/versions/{v}]`: OIP model metadata. */
  metadata(model: string, options: VersionCallOptions = {}): Promise<OipModelMetadata> {
    const { version, ...call } = options;
    return this.http.json('GET', this.#oip(model, version), { call });
  }

  /** Whether the model's champion (or the version) is loaded: OIP's ready, as a boolean. */
  async ready(model: string, options: VersionCallOptions = {}): Promise<boolean> {
    const { version, ...call } = options;
    try {
      await this.http.text('GET', `${this.#oip(model, version)}/ready`, { call });
      return true;
    } catch (error) {
      if (isKilnApiError(error) && error.status === 503 && error.request) return false;
      throw error;
    }
  }

  /** `GET /predictions`, newest first. */
  predictions(options: PredictionListOptions = {}): Promise<PredictionInfo[]> {
    const { model, limit, before, ...call } = options;
    if (model !== undefined) assertName(model, 'model');
    return this.http.json('GET', 'predictions', { query: { model, limit, before }, call });
  }

  /** `GET /predictions/{id}`, with every probability. */
  prediction(id: string, call?: CallOptions): Promise<PredictionDetail> {
    return this.http.json('GET', `predictions/${enc(id)}`, { call });
  }

  /** `GET /predictions/{id}/input`: the grey image as PNG bytes. */
  async predictionInput(id: string, call?: CallOptions): Promise<Buffer> {
    const stream = await this.http.stream(`predictions/${enc(id)}/input`, { call });
    const chunks: Buffer[] = [];
    for await (const chunk of stream.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** `/events` as an async iterator of prediction, version and alias events. */
  async *events(options: EventsOptions = {}): AsyncGenerator<ServingEvent> {
    const names = Object.values(ServingEventName);
    for await (const event of namedEvents(this.http, names, options)) {
      if (event.event === ServingEventName.Prediction)
        yield { type: 'prediction', prediction: event.data as PredictionInfo };
      else if (event.event === ServingEventName.Version)
        yield { type: 'version', version: event.data as ModelVersionInfo };
      else yield { type: 'alias', alias: event.data as AliasChange };
    }
  }

  #model(model: string): string {
    assertName(model, 'model');
    return `models/${enc(model)}`;
  }

  #oip(model: string, version: number | undefined): string {
    assertName(model, 'model');
    const base = `v2/models/${enc(model)}`;
    return version === undefined ? base : `${base}/versions/${checkVersion(version)}`;
  }
}

function checkVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw KilnApiError.client(
      ErrorCode.BadRequest,
      'Invalid version',
      `a version is a positive integer, not ${JSON.stringify(version)}`,
      400,
    );
  }
  return version;
}
