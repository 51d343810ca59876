import { describe, expect, it } from 'vitest';
import { loadTensorFlow } from './load-backend.js';
import { installWasmMatMulFix } from './wasm-matmul-fix.js';

/** Plain-JS product of row-major matrices, the reference. */
function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, x, k) => sum + x * b[k]![j]!, 0)));
}
const transpose = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((row) => row[j]!));

describe('installWasmMatMulFix', () => {
  it('gives the same products for every transpose combination', async () => {
    const { tf } = await loadTensorFlow('wasm');
    expect(installWasmMatMulFix(tf)).toBe(false); // loadTensorFlow installed it already
    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [1, 0.5],
      [-1, 2],
      [0, 3],
    ];
    const expected = matMul(a, b);
    const cases: Array<[number[][], number[][], boolean, boolean]> = [
      [a, b, false, false],
      [transpose(a), b, true, false],
      [a, transpose(b), false, true],
      [transpose(a), transpose(b), true, true],
    ];
    for (const [x, y, ta, tb] of cases) {
      const out = tf.tidy(() => tf.matMul(tf.tensor2d(x), tf.tensor2d(y), ta, tb).arraySync());
      expect(out).toEqual(expected);
    }
  });

  it('keeps batched products right and frees its temporaries', async () => {
    const { tf } = await loadTensorFlow('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = tf.tensor3d([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const out = tf.matMul(a, b, true, false);
    expect(out.arraySync()).toEqual([
      [
        [1, 3],
        [2, 4],
      ],
      [
        [10, 14],
        [12, 16],
      ],
    ]);
    tf.dispose([a, b, out]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
