import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { datasetError } from '../util/dataset-error.js';
import type { Tf } from './tf-types.js';

/** The model's topology file in the TensorFlow.js layers format. */
export const MODEL_JSON_FILE = 'model.json';
/** The weights file `model.json` names. */
export const WEIGHTS_FILE = 'weights.bin';

function joinWeightData(data: ArrayBuffer | ArrayBuffer[] | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((part) => Buffer.from(part)));
}

/**
 * Saves a layers model into `dir` in the TensorFlow.js format: `model.json` (topology, weights
 * manifest, `userDefinedMetadata`) and `weights.bin`, loadable by `tf.loadLayersModel`
 * (`file://…/model.json` with tfjs-node, or an HTTP URL of the artifact's data in a browser).
 *
 * @returns the files written, relative to `dir`.
 */
export async function saveLayersModel(tf: Tf, model: LayersModel, dir: string): Promise<string[]> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = joinWeightData(
        artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined,
      );
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata
          ? { userDefinedMetadata: artifacts.userDefinedMetadata }
          : {}),
      };
      const text = JSON.stringify(modelJson);
      await writeFile(join(dir, MODEL_JSON_FILE), text);
      await writeFile(join(dir, WEIGHTS_FILE), weights);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(text),
          weightDataBytes: weights.length,
        },
      };
    }),
  );
  return [MODEL_JSON_FILE, WEIGHTS_FILE];
}

/** A loaded model and the metadata its trainer stored in `model.json`. */
export interface LoadedModel {
  model: LayersModel;
  metadata: Record<string, unknown>;
}

/**
 * Loads a model saved by {@link saveLayersModel} (or any TensorFlow.js layers model whose
 * weight files sit beside its `model.json`) from a local folder.
 */
export async function loadLayersModel(tf: Tf, dir: string, label = 'model'): Promise<LoadedModel> {
  const text = await readFile(join(dir, MODEL_JSON_FILE), 'utf8').catch(() => null);
  if (text === null) {
    throw datasetError(`${label}: no ${MODEL_JSON_FILE}; expected an artifact of the train tool`);
  }
  const modelJson = JSON.parse(text) as Parameters<Tf['io']['getModelArtifactsForJSON']>[0];
  const model = await tf.loadLayersModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          for (const path of group.paths) buffers.push(await readFile(join(dir, path)));
        }
        const data = Buffer.concat(buffers);
        const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
        return [tf.io.getWeightSpecs(manifest), weightData];
      }),
  });
  const metadata = (modelJson.userDefinedMetadata ?? {}) as Record<string, unknown>;
  return { model, metadata };
}
