import type { AliasChange, ModelVersionInfo, PredictionInfo } from '@kiln/api';

/** What a watcher of the serving container is told. */
export interface ServingListener {
  /** A version changed: its status, figures or aliases. */
  version?(version: ModelVersionInfo): void;
  /** An alias moved. */
  alias?(change: AliasChange): void;
  /** A prediction was made. */
  prediction?(prediction: PredictionInfo): void;
  /** The stream (re)opened: state read now misses nothing. */
  open?(): void;
}

/**
 * Follows the serving container's `/events` (one EventSource for every listener, closed with
 * the last one), the serving pages' only source of live updates.
 */
export class ServingEvents {
  readonly #url: string;
  readonly #listeners = new Set<ServingListener>();
  #source: EventSource | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  /** Starts listening; returns the function that stops. */
  subscribe(listener: ServingListener): () => void {
    this.#listeners.add(listener);
    this.#source ??= this.#open();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#source?.close();
        this.#source = undefined;
      }
    };
  }

  #open(): EventSource {
    const source = new EventSource(this.#url, { withCredentials: true });
    const each = (call: (listener: ServingListener) => void): void => {
      for (const listener of [...this.#listeners]) call(listener);
    };
    source.addEventListener('open', () => each((l) => l.open?.()));
    source.addEventListener('version', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as ModelVersionInfo;
      each((l) => l.version?.(data));
    });
    source.addEventListener('alias', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as AliasChange;
      each((l) => l.alias?.(data));
    });
    source.addEventListener('prediction', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as PredictionInfo;
      each((l) => l.prediction?.(data));
    });
    return source;
  }
}
