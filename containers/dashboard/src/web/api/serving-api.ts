import type {
  FeedbackInfo,
  FeedbackStats,
  ModelAlias,
  ModelDetail,
  ModelSummary,
  ModelVersionInfo,
  PredictionInfo,
  PredictResponse,
  RetrainInfo,
  RetrainPolicy,
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

  /** The model's predictions that received no label yet, newest first. */
  unlabelled(model: string, limit: number, signal?: AbortSignal): Promise<PredictionInfo[]> {
    return this.#api.json(
      `${this.#base}/predictions?model=${enc(model)}&labelled=false&limit=${limit}`,
      { signal },
    );
  }

  /** The path of a prediction's input image (a PNG), for an `<img>`. */
  inputPath(predictionId: string): string {
    return `${this.#base}/predictions/${enc(predictionId)}/input`;
  }

  /** Gives a prediction its right label (a class index). */
  feedback(predictionId: string, label: number): Promise<FeedbackInfo> {
    return this.#api.json(`${this.#base}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ predictionId, label }),
    });
  }

  /** The model's labels and progress toward its next retraining run. */
  stats(model: string, signal?: AbortSignal): Promise<FeedbackStats> {
    return this.#api.json(`${this.#base}/feedback/stats?model=${enc(model)}`, { signal });
  }

  policy(model: string, signal?: AbortSignal): Promise<RetrainPolicy> {
    return this.#api.json(`${this.#base}/models/${enc(model)}/policy`, { signal });
  }

  /** The model's retraining runs, newest first. */
  retrains(model: string, signal?: AbortSignal): Promise<RetrainInfo[]> {
    return this.#api.json(`${this.#base}/models/${enc(model)}/retrains?limit=10`, { signal });
  }

  /** Starts a retraining run by hand. */
  retrain(model: string): Promise<RetrainInfo> {
    return this.#api.json(`${this.#base}/models/${enc(model)}/retrains`, { method: 'POST' });
  }

  /** The path of the serving container's event stream. */
  get eventsPath(): string {
    return `${this.#base}/events`;
  }
}
