import { describe, expect, it } from 'vitest';
import { firstNonFinite, nestsDeeperThan } from './json-shape.js';

describe('nestsDeeperThan', () => {
  it('counts the value itself as level 1, through arrays and objects alike', () => {
    expect(nestsDeeperThan(1, 1)).toBe(false);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [] }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan([1, 'x', null, [2]], 2)).toBe(false);
  });

  it('measures a value far deeper than the call stack allows', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(nestsDeeperThan(deep, 100)).toBe(true);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
  });
});

describe('firstNonFinite', () => {
  it('points at the first number that JSON.parse made infinite', () => {
    expect(firstNonFinite(JSON.parse('{"a": [1, 2], "b": 3}'))).toBeNull();
    expect(firstNonFinite(JSON.parse('{"a": [1, 1e400], "b": -1e999}'))).toBe('/a/1');
    expect(firstNonFinite(JSON.parse('{"x/y": {"~": 1e400}}'))).toBe('/x~1y/~0');
    expect(firstNonFinite(JSON.parse('1e400'))).toBe('');
  });
});
