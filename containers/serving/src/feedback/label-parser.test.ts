import { ErrorCode, KilnError } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { parseLabel } from './label-parser.js';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Sneaker'];

function refusal(label: unknown): KilnError {
  try {
    parseLabel(label, CLASSES);
  } catch (error) {
    return error as KilnError;
  }
  throw new Error(`${JSON.stringify(label)} was accepted`);
}

describe('parseLabel', () => {
  it('takes class indices, as numbers and as digits', () => {
    expect(parseLabel(0, CLASSES)).toBe(0);
    expect(parseLabel(3, CLASSES)).toBe(3);
    expect(parseLabel('2', CLASSES)).toBe(2);
    expect(parseLabel(' 1 ', CLASSES)).toBe(1);
  });

  it('takes class names, exactly or without regard to case', () => {
    expect(parseLabel('Sneaker', CLASSES)).toBe(3);
    expect(parseLabel('t-shirt/TOP', CLASSES)).toBe(0);
  });

  it('refuses what is not a class with a 422 INVALID_LABEL on /label', () => {
    for (const label of [4, -1, 1.5, '4', 'sandal', '', null, true, [1], { label: 1 }]) {
      const error = refusal(label);
      expect(error.code).toBe(ErrorCode.InvalidLabel);
      expect(error.status).toBe(422);
      expect(error.errors?.[0]?.path).toBe('/label');
    }
    expect(refusal('sandal').message).toBe("'sandal' is not a class of this model");
    expect(refusal(4).errors?.[0]?.message).toBe(
      'must be a class index (0–3) or a class name: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Sneaker',
    );
  });
});
