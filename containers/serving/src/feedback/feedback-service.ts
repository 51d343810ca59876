import {
  ErrorCode,
  KilnError,
  ModelAlias,
  type FeedbackInfo,
  type Logger,
  type ModelSignature,
} from '@kiln/api';
import type { ServingEvents } from '../events/serving-events.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { Retrainer } from '../retrain/retrainer.js';
import type { RetrainPolicies } from '../retrain/retrain-policies.js';
import type { FeedbackQuery, FeedbackStore, StoredFeedback } from '../store/feedback-store.js';
import type { PredictionStore } from '../store/prediction-store.js';
import { parseLabel } from './label-parser.js';

/** What a {@link FeedbackService} works with. */
export interface FeedbackServiceOptions {
  feedback: FeedbackStore;
  predictions: PredictionStore;
  registry: ModelRegistry;
  policies: RetrainPolicies;
  retrainer: Retrainer;
  events: ServingEvents;
  logger: Logger;
}

function predictionNotFound(id: string): KilnError {
  return new KilnError(ErrorCode.PredictionNotFound, `no prediction '${id}'`, {
    status: 404,
    errors: [{ path: '/predictionId', message: 'names no prediction' }],
  });
}

function feedbackNotFound(id: string): KilnError {
  return new KilnError(ErrorCode.FeedbackNotFound, `no feedback '${id}'`, { status: 404 });
}

/**
 * Takes labels: the right class of a prediction (`{predictionId, label}`), or of an image that
 * was never predicted. A label is checked against the model's classes, stored (committed before
 * it is acknowledged), announced as a `feedback` event, and may start a retraining run. A
 * prediction takes one label: **the first label given stands**, and a second is a 409 that
 * changes nothing.
 */
export class FeedbackService {
  readonly #options: FeedbackServiceOptions;

  constructor(options: FeedbackServiceOptions) {
    this.#options = options;
  }

  /** Labels a prediction (`POST /feedback` with JSON). */
  forPrediction(predictionId: unknown, label: unknown): FeedbackInfo {
    const { feedback, predictions } = this.#options;
    if (typeof predictionId !== 'string' || predictionId.length === 0) {
      throw new KilnError(ErrorCode.ValidationFailed, "'predictionId' must be a prediction's id", {
        status: 422,
        errors: [{ path: '/predictionId', message: 'must be a non-empty string' }],
      });
    }
    const prediction = predictions.get(predictionId);
    if (!prediction) throw predictionNotFound(predictionId);
    const classes = this.#classes(prediction.model, prediction.version);
    const value = parseLabel(label, classes);
    const given = feedback.forPrediction(predictionId);
    if (given) {
      throw new KilnError(
        ErrorCode.FeedbackExists,
        `prediction '${predictionId}' was labelled ${given.label} (${classes[given.label] ?? '?'}) at ${given.createdAt}; the first label given stands`,
        { status: 409 },
      );
    }
    const input = predictions.input(predictionId);
    if (!input) throw predictionNotFound(predictionId);
    return this.#keep(
      prediction.model,
      {
        id: predictionId,
        version: prediction.version,
        predicted: prediction.label,
      },
      input,
      value,
    );
  }

  /** Labels an image that was never predicted (`POST /feedback` with multipart). */
  forImage(
    model: string,
    image: { pixels: Uint8Array; height: number; width: number },
    label: unknown,
  ): FeedbackInfo {
    const value = parseLabel(label, this.signature(model).classes);
    return this.#keep(model, null, image, value);
  }

  /**
   * What a model's champion takes (its image size and classes): what a labelled image is decoded
   * to and checked against. A 503 while the model has no champion.
   */
  signature(model: string): ModelSignature {
    const signature = this.#options.registry.signature(model);
    if (!signature) {
      throw new KilnError(
        ErrorCode.ModelNotReady,
        `'${model}' has no ${ModelAlias.Champion} yet, so its classes are not known`,
        { status: 503, retryable: true },
      );
    }
    return signature;
  }

  /** Labels, newest first. */
  list(query: FeedbackQuery): FeedbackInfo[] {
    if (query.model !== undefined) this.#options.registry.detail(query.model);
    return this.#options.feedback.list(query).map((stored) => this.#info(stored));
  }

  get(id: string): FeedbackInfo {
    const stored = this.#options.feedback.get(id);
    if (!stored) throw feedbackNotFound(id);
    return this.#info(stored);
  }

  /** The grey image a label was given for. */
  input(id: string): { pixels: Uint8Array; height: number; width: number } {
    const input = this.#options.feedback.input(id);
    if (!input) throw feedbackNotFound(id);
    return input;
  }

  #keep(
    model: string,
    prediction: { id: string; version: number; predicted: number } | null,
    image: { pixels: Uint8Array; height: number; width: number },
    label: number,
  ): FeedbackInfo {
    const { feedback, policies, retrainer, events, logger } = this.#options;
    const stored = feedback.insert({
      model,
      label,
      input: image.pixels,
      height: image.height,
      width: image.width,
      prediction,
      holdOutEvery: policies.get(model).holdOutEvery,
    });
    const info = this.#info(stored);
    logger.debug('feedback', { model, id: info.id, label, prediction: prediction?.id });
    try {
      retrainer.onLabel(model);
    } catch (error) {
      // The label is kept whatever happens to the run it may start; say so in the log.
      logger.error('a retraining run could not be started', {
        model,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    events.emit('feedback', { feedback: info, stats: retrainer.stats(model) });
    return info;
  }

  #classes(model: string, version: number): string[] {
    const { registry } = this.#options;
    const own = registry.modelNames().includes(model)
      ? registry.versions(model).find((v) => v.version === version)?.signature
      : undefined;
    return (own ?? this.signature(model)).classes;
  }

  #info(stored: StoredFeedback): FeedbackInfo {
    const classes = this.#options.registry.signature(stored.model)?.classes ?? [];
    return { ...stored, class: classes[stored.label] ?? String(stored.label) };
  }
}
