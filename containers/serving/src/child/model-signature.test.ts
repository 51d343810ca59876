import { describe, expect, it } from 'vitest';
import { readModelSignature } from './model-signature.js';

const kiln = {
  classes: ['a', 'b', 'c'],
  inputShape: [784],
  normalization: { method: 'standard', scale: 0.01, offset: -1.2, mean: 0.3 },
  architecture: 'linear',
};

describe('readModelSignature', () => {
  it("reads the train container's metadata", () => {
    expect(readModelSignature({ kiln }, 3)).toEqual({
      classes: ['a', 'b', 'c'],
      inputShape: [784],
      imageSize: { height: 28, width: 28 },
      normalization: { method: 'standard', scale: 0.01, offset: -1.2 },
      architecture: 'linear',
    });
    expect(readModelSignature({ kiln: { ...kiln, inputShape: [5, 7, 1] } }, 3).imageSize).toEqual({
      height: 5,
      width: 7,
    });
  });

  it('refuses a model it could not serve correctly', () => {
    expect(() => readModelSignature({}, 3)).toThrow(/no userDefinedMetadata\.kiln/);
    expect(() => readModelSignature({ kiln }, 10)).toThrow(
      /names 3 classes but the network outputs 10/,
    );
    expect(() => readModelSignature({ kiln: { ...kiln, inputShape: [28, 28, 3] } }, 3)).toThrow(
      /not a grey image/,
    );
    expect(() => readModelSignature({ kiln: { ...kiln, inputShape: [783] } }, 3)).toThrow(
      /not a grey image/,
    );
    expect(() => readModelSignature({ kiln: { ...kiln, normalization: {} } }, 3)).toThrow(
      /no scale and offset/,
    );
  });
});
