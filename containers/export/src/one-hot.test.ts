import { describe, expect, it } from 'vitest';
import { oneHot } from './one-hot.js';

describe('oneHot', () => {
  it('sets one 1 a row', () => {
    expect([...oneHot(Uint8Array.of(2, 0), 3)]).toEqual([0, 0, 1, 1, 0, 0]);
  });
});
