import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTensorFlow } from './load-backend.js';
import { loadLayersModel, saveLayersModel } from './model-files.js';

describe('model files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves model.json + weights.bin and loads the same predictions and metadata', async () => {
    const { tf } = await loadTensorFlow('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [2, 2, 1] }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.setUserDefinedMetadata({ kiln: { classes: ['a', 'b', 'c'] } });
    expect(await saveLayersModel(tf, model, dir)).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect((await readFile(join(dir, 'weights.bin'))).length).toBe((4 * 3 + 3) * 4);

    const { model: loaded, metadata } = await loadLayersModel(tf, dir);
    expect(metadata).toEqual({ kiln: { classes: ['a', 'b', 'c'] } });
    const x = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 2, 2, 1]);
    const a = (model.predict(x) as import('@tensorflow/tfjs').Tensor).arraySync();
    const b = (loaded.predict(x) as import('@tensorflow/tfjs').Tensor).arraySync();
    expect(b).toEqual(a);
  });

  it('says what is missing when the folder holds no model', async () => {
    const { tf } = await loadTensorFlow('wasm');
    await expect(loadLayersModel(tf, join(dir, 'nothing'), 'model')).rejects.toThrow(
      /model: no model.json; expected an artifact of the train tool/,
    );
  });
});
