import type { AliasChange, ModelVersionInfo, PredictionInfo } from '@kiln/api';
import { EventEmitter } from 'node:events';

/** The events of `/events`, by name, with their data. */
export interface ServingEventMap {
  prediction: [PredictionInfo];
  version: [ModelVersionInfo];
  alias: [AliasChange];
}

/** A listener of every event: its name and data. */
export type AnyServingListener = <K extends keyof ServingEventMap>(
  name: K,
  data: ServingEventMap[K][0],
) => void;

/**
 * In-process fan-out of what `/events` streams: a prediction was made, a version changed
 * (status, figures), an alias moved. Emitting with no listener costs next to nothing, so every
 * prediction is announced.
 */
export class ServingEvents {
  readonly #emitter = new EventEmitter<ServingEventMap>();
  readonly #any = new Set<AnyServingListener>();

  constructor() {
    // Every open SSE stream is a listener; many are normal.
    this.#emitter.setMaxListeners(0);
  }

  emit<K extends keyof ServingEventMap>(name: K, data: ServingEventMap[K][0]): void {
    if (this.#any.size === 0 && this.#emitter.listenerCount(name) === 0) return;
    (this.#emitter.emit as (name: K, data: ServingEventMap[K][0]) => boolean)(name, data);
    for (const listener of this.#any) listener(name, data);
  }

  /** Listens to one event; returns the function that stops listening. */
  on<K extends keyof ServingEventMap>(
    name: K,
    listener: (data: ServingEventMap[K][0]) => void,
  ): () => void {
    const wrapped = listener as (...args: ServingEventMap[K]) => void;
    (this.#emitter.on as (name: K, l: typeof wrapped) => unknown)(name, wrapped);
    return () => (this.#emitter.off as (name: K, l: typeof wrapped) => unknown)(name, wrapped);
  }

  /** Listens to every event; returns the function that stops listening. */
  onAny(listener: AnyServingListener): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }
}
