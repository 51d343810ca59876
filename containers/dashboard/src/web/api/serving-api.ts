import type {
  ModelAlias,
  ModelDetail,
  ModelSummary,
  ModelVersionInfo,
  PredictResponse,
} from '@kiln/api';
import { containerPath } from './paths.js';

const enc = encodeURIComponent;

/** What {@link ServingApi} needs of the dashboard's client (`KilnApi.json`). */
export interface JsonRequester {
  json<T>(path: string, init?: RequestInit): Promise<T>;
}

/** One serving container's routes, through the gateway, for the Serving pages. */
export class ServingApi {
  /** The container's name behind the gateway (its service name in `docker-compose.yml`). */
  readonly container: string;
  readonly #api: JsonRequester;
  readonly #base: string;

  constructor(api: JsonRequester, container: string) {
    this.#api = api;
    this.container = container;
    this.#base = containerPath(container);
  }

  models(signal?: AbortSignal): Promise<ModelSummary[]> {
    return this.#api.json(`${this.#base}/models`, { signal });
  }

  model(model: string, signal?: AbortSignal): Promise<ModelDetail> {
    return this.#api.json(`${this.#base}/models/${enc(model)}`, { signal });
  }

  versions(model: string, signal?: AbortSignal): Promise<ModelVersionInfo[]> {
    return this.#api.json(`${this.#base}/models/${enc(model)}/versions`, { signal });
  }

  /** Points an alias at a version; resolves once the switch is done. */
  setAlias(model: string, alias: ModelAlias, version: number): Promise<ModelDetail> {
    return this.#api.json(`${this.#base}/models/${enc(model)}/aliases/${enc(alias)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version }),
    });
  }

  /** Predicts one image (a dropped file, or a drawing as PNG). */
  predict(
    model: string,
    image: Blob,
    filename: string,
    version?: number,
  ): Promise<PredictResponse> {
    const form = new FormData();
    form.set('image', image, filename);
    const query = version === undefined ? '' : `?version=${version}`;
    return this.#api.json(`${this.#base}/models/${enc(model)}/predict${query}`, {
      method: 'POST',
      body: form,
    });
  }

  /** The path of the serving container's event stream. */
  get eventsPath(): string {
    return `${this.#base}/events`;
  }
}
