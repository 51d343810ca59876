import type { ModelSignature } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { parseInferRequest } from './oip-request.js';

const signature: ModelSignature = {
  classes: ['a', 'b'],
  inputShape: [2, 3, 1],
  imageSize: { height: 2, width: 3 },
  normalization: { method: 'unit', scale: 1 / 255, offset: 0 },
  architecture: 'dense',
};

const body = (tensor: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'images', datatype: 'FP32', ...tensor }],
  ...extra,
});

describe('parseInferRequest', () => {
  it('flattens flat and nested data of every accepted shape', () => {
    const flat = parseInferRequest(
      body({ shape: [1, 6], data: [0, 1, 2, 3, 4, 255] }, { id: 'r' }),
      signature,
    );
    expect(flat).toEqual({ id: 'r', count: 1, pixels: Float32Array.of(0, 1, 2, 3, 4, 255) });
    const nested = parseInferRequest(
      body({
        shape: [1, 2, 3],
        data: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
      }),
      signature,
    );
    expect(Array.from(nested.pixels)).toEqual([1, 2, 3, 4, 5, 6]);
    const channels = parseInferRequest(
      body({ shape: [2, 2, 3, 1], datatype: 'UINT8', data: new Array(12).fill(7) }),
      signature,
    );
    expect(channels.count).toBe(2);
  });

  it('names the JSON Pointer of what is wrong', () => {
    const cases: [unknown, string][] = [
      [body({ shape: [1, 5], data: [1, 2, 3, 4, 5] }), '/inputs/0/shape'],
      [body({ shape: [1, 6], data: [1, 2, 3] }), '/inputs/0/data'],
      [
        body({
          shape: [1, 2, 3],
          data: [
            [
              [1, 2, 3],
              [4, 5],
            ],
          ],
        }),
        '/inputs/0/data/0/1',
      ],
      [body({ shape: [1, 6], data: [1, 2, 3, 4, 5, null] }), '/inputs/0/data/5'],
      [body({ shape: [1, 6], data: [1, 2, 3, 4, 5, 300] }), '/inputs/0/data/5'],
      [body({ shape: [1, 6], datatype: 'UINT8', data: [1, 2, 3, 4, 5, 1.5] }), '/inputs/0/data/5'],
      [body({ shape: [1, 6], datatype: 'BYTES', data: [] }), '/inputs/0/datatype'],
      [body({ shape: [1, 6], data: new Array(6).fill(1), extra: 1 }), '/inputs/0/extra'],
      [body({ shape: [1, 6], data: new Array(6).fill(1) }, { model: 'x' }), '/model'],
      [body({ shape: [1, 6], data: new Array(6).fill(1) }, { id: 3 }), '/id'],
      [{ inputs: [] }, '/inputs'],
      ['text', ''],
    ];
    for (const [request, path] of cases) {
      expect(() => parseInferRequest(request, signature), path).toThrow(
        expect.objectContaining({
          code: 'INVALID_TENSOR',
          status: 400,
          errors: [expect.objectContaining({ path })],
        }),
      );
    }
  });
});
