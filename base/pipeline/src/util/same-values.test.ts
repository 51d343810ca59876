import { describe, expect, it } from 'vitest';
import { containsValues } from './same-values.js';

describe('containsValues', () => {
  it('accepts extra keys and any key order', () => {
    expect(
      containsValues({ a: 1, b: { x: 1, y: [1, 2] }, c: true }, { b: { y: [1, 2], x: 1 }, a: 1 }),
    ).toBe(true);
  });

  it('refuses a different or missing value', () => {
    expect(containsValues({ a: 1 }, { a: 2 })).toBe(false);
    expect(containsValues({ a: 1 }, { b: 1 })).toBe(false);
    expect(containsValues({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});
