import type { ModelSignature, PredictionSource } from '@kiln/api';
import { randomUUID } from 'node:crypto';
import type { ServingEvents } from '../events/serving-events.js';
import type { ModelRegistry, Route } from '../registry/model-registry.js';
import type { NewPrediction, PredictionStore } from '../store/prediction-store.js';

/** What one inference gave: a prediction per image. */
export interface InferenceResult {
  model: string;
  version: number;
  signature: ModelSignature;
  /** One id per image, in order. */
  ids: string[];
  /** `count × classes` probabilities, row-major. */
  probabilities: Float32Array;
  /** The predicted class of each image. */
  labels: number[];
}

/** `count` images of raw grey pixels (0–255) for a model, and where they came from. */
export interface InferenceInput {
  model: string;
  /** The loaded version that answers, as `ModelRegistry.route` picked it. */
  route: Route;
  pixels: Float32Array;
  count: number;
  source: PredictionSource;
}

function argMax(values: Float32Array, from: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[from + i]! > values[from + best]!) best = i;
  return best;
}

/**
 * Answers predictions: picks the loaded version (the champion unless a version is named),
 * sends the images through its batcher, keeps every prediction durably (committed before the
 * answer), and announces each one on `/events`.
 */
export class InferenceService {
  readonly #registry: ModelRegistry;
  readonly #predictions: PredictionStore;
  readonly #events: ServingEvents;

  constructor(registry: ModelRegistry, predictions: PredictionStore, events: ServingEvents) {
    this.#registry = registry;
    this.#predictions = predictions;
    this.#events = events;
  }

  /** The loaded version that answers for a model: the given version, or the champion. */
  route(model: string, version?: number): Route {
    return this.#registry.route(model, version);
  }

  /** Runs the images through the routed version and keeps each prediction. */
  async infer(input: InferenceInput): Promise<InferenceResult> {
    const { worker, signature } = input.route;
    const probabilities = await worker.infer(input.pixels, input.count);
    const classes = signature.classes.length;
    const { height, width } = signature.imageSize;
    const pixelsPerImage = height * width;
    const createdAt = new Date().toISOString();
    const rows: NewPrediction[] = [];
    for (let i = 0; i < input.count; i++) {
      const label = argMax(probabilities, i * classes, classes);
      const image = new Uint8Array(pixelsPerImage);
      const from = i * pixelsPerImage;
      for (let p = 0; p < pixelsPerImage; p++) image[p] = Math.round(input.pixels[from + p]!);
      rows.push({
        id: randomUUID(),
        model: input.model,
        version: worker.version,
        label,
        confidence: probabilities[i * classes + label]!,
        probabilities: probabilities.subarray(i * classes, (i + 1) * classes),
        input: image,
        height,
        width,
        source: input.source,
        createdAt,
      });
    }
    await this.#predictions.keep(rows);
    for (const row of rows) {
      this.#events.emit('prediction', {
        id: row.id,
        model: row.model,
        version: row.version,
        label: row.label,
        confidence: row.confidence,
        createdAt,
        feedback: null,
        source: row.source,
      });
    }
    return {
      model: input.model,
      version: worker.version,
      signature,
      ids: rows.map((row) => row.id),
      probabilities,
      labels: rows.map((row) => row.label),
    };
  }
}
