import type { Logger, ServingDescription } from '@kiln/api';
import type { ServingEvents } from '../events/serving-events.js';
import type { InferenceService } from '../inference/inference-service.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { PredictionStore } from '../store/prediction-store.js';

/** Size limits of what the serving container accepts. */
export interface ServingLimits {
  /** Largest JSON body (an infer request, a registration). */
  maxBodyBytes: number;
  /** Largest uploaded image file. */
  maxImageBytes: number;
  /** Most pixels (width × height) an uploaded image may have. */
  maxImagePixels: number;
}

/** What the serving container's routes work with. */
export interface ServingContext {
  description: Omit<ServingDescription, 'models'>;
  registry: ModelRegistry;
  inference: InferenceService;
  predictions: PredictionStore;
  events: ServingEvents;
  dataDir: string;
  limits: ServingLimits;
  logger: Logger;
}
