import { describe, expect, it } from 'vitest';
import { asConfusionMatrix, columnsOf, isRecordList, isScalar } from './report-shape.js';

describe('asConfusionMatrix', () => {
  it('recognises labels + square matrix, and classes as labels', () => {
    expect(
      asConfusionMatrix({
        labels: ['a', 'b'],
        matrix: [
          [1, 2],
          [3, 4],
        ],
      }),
    ).toEqual({
      labels: ['a', 'b'],
      matrix: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(
      asConfusionMatrix({
        classes: [0, 1],
        matrix: [
          [1, 0],
          [0, 1],
        ],
      })?.labels,
    ).toEqual(['0', '1']);
  });

  it.each([
    null,
    [],
    { labels: ['a'], matrix: [[1, 2]] },
    {
      labels: ['a', 'b'],
      matrix: [
        [1, 2],
        [3, 'x'],
      ],
    },
    { matrix: [[1]] },
  ])('refuses %j', (value) => {
    expect(asConfusionMatrix(value)).toBeUndefined();
  });
});

describe('report helpers', () => {
  it('tells scalars and record lists apart', () => {
    expect([1, 'a', true, null].every(isScalar)).toBe(true);
    expect(isScalar({})).toBe(false);
    expect(isRecordList([{ a: 1 }, { b: 2 }])).toBe(true);
    expect(isRecordList([])).toBe(false);
    expect(isRecordList([1])).toBe(false);
    expect(
      columnsOf([
        { a: 1, b: 2 },
        { c: 3, a: 4 },
      ]),
    ).toEqual(['a', 'b', 'c']);
  });
});
