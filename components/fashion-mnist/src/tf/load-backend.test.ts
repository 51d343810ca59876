import { describe, expect, it } from 'vitest';
import { loadTensorFlow } from './load-backend.js';

describe('loadTensorFlow', () => {
  it('falls back to wasm when no native backend is installed, and says why', async () => {
    const lines: string[] = [];
    const loaded = await loadTensorFlow('auto', (line) => lines.push(line));
    expect(loaded.backend).toBe('wasm');
    expect(loaded.tf.getBackend()).toBe('wasm');
    expect(loaded.native).toBe(false);
    expect(loaded.attempts).toEqual([
      '@tensorflow/tfjs-node-gpu: not installed',
      '@tensorflow/tfjs-node: not installed',
    ]);
    expect(lines.at(-1)).toMatch(
      /backend 'wasm' from @tensorflow\/tfjs-backend-wasm \(SIMD on, 1 thread\)/,
    );
    const sum = loaded.tf.tidy(() => loaded.tf.add(loaded.tf.tensor1d([1, 2]), 1).arraySync());
    expect(sum).toEqual([2, 3]);
  });

  it('fails clearly when a native backend is required but missing', async () => {
    await expect(loadTensorFlow('native')).rejects.toThrow(
      /no TensorFlow.js backend loaded for 'native' \(@tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed\)/,
    );
  });
});
