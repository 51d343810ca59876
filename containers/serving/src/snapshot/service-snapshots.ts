import { ErrorCode, isFinalStatus, type ArtifactSummary } from '@kiln/api';
import type { ToolService } from '@kiln/core';
import type { SnapshotMaker } from '../retrain/retrain-driver.js';

/**
 * Makes a retraining run's snapshot as an artifact of the container's own tool service (the
 * labelled-dataset tool), under the name the run fixed, so an interrupted attempt's artifact is
 * found and reused. Resolves with the artifact's URL under the container's own URL, the one the
 * pipeline's containers reach it by.
 */
export class ServiceSnapshots implements SnapshotMaker {
  readonly #service: ToolService;
  readonly #baseUrl: () => string;

  /** @param baseUrl - the container's URL as other containers name it (`http://serving:8080`). */
  constructor(service: ToolService, baseUrl: () => string) {
    this.#service = service;
    this.#baseUrl = baseUrl;
  }

  async make(
    request: { name: string; model: string; through: number },
    signal: AbortSignal,
  ): Promise<string> {
    const { name } = request;
    let summary = await this.#service.summary(name);
    if (!summary) {
      try {
        summary = await this.#service.create({
          name,
          parameters: { model: request.model, through: request.through },
        });
      } catch (error) {
        if ((error as { code?: unknown }).code !== ErrorCode.ArtifactExists) throw error;
        summary = await this.#service.summary(name);
        if (!summary) throw error;
      }
    }
    const final = isFinalStatus(summary.status) ? summary : await this.#final(name, signal);
    if (final.status !== 'completed') {
      throw new Error(`snapshot '${name}' ${final.status}: ${final.error ?? 'no reason given'}`);
    }
    return `${this.#baseUrl()}/artifacts/${name}/`;
  }

  /** The artifact's summary once it reaches a final state. */
  #final(name: string, signal: AbortSignal): Promise<ArtifactSummary> {
    return new Promise((resolve, reject) => {
      const finish = (summary: ArtifactSummary): void => {
        stop();
        signal.removeEventListener('abort', abort);
        resolve(summary);
      };
      const abort = (): void => {
        stop();
        reject(signal.reason);
      };
      const stop = this.#service.onArtifact((summary) => {
        if (summary.name === name && isFinalStatus(summary.status)) finish(summary);
      });
      signal.addEventListener('abort', abort, { once: true });
      // It may have ended between the first look and the listener.
      this.#service.summary(name).then(
        (now) => {
          if (now && isFinalStatus(now.status)) finish(now);
        },
        (error: unknown) => {
          stop();
          reject(error);
        },
      );
    });
  }
}
