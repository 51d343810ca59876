import { describe, expect, it } from 'vitest';
import { readByteRange } from './byte-range.js';

describe('readByteRange', () => {
  it('gives the whole file without a header, for other units and for several ranges', () => {
    expect(readByteRange(undefined, 10)).toEqual({ kind: 'whole' });
    expect(readByteRange('items=0-1', 10)).toEqual({ kind: 'whole' });
    expect(readByteRange('bytes=0-1,5-6', 10)).toEqual({ kind: 'whole' });
  });

  it('reads one range, open-ended and suffix ones included, clamped to the file', () => {
    expect(readByteRange('bytes=2-4', 10)).toEqual({ kind: 'part', start: 2, end: 4 });
    expect(readByteRange('bytes=7-', 10)).toEqual({ kind: 'part', start: 7, end: 9 });
    expect(readByteRange('bytes=-3', 10)).toEqual({ kind: 'part', start: 7, end: 9 });
    expect(readByteRange('bytes=5-99', 10)).toEqual({ kind: 'part', start: 5, end: 9 });
    expect(readByteRange('Bytes=0-0', 10)).toEqual({ kind: 'part', start: 0, end: 0 });
  });

  it('refuses what cannot be read or asks for no byte, as a 416', () => {
    for (const header of ['bytes=-0', 'bytes=5-1', 'bytes=10-', 'garbage', 'bytes=', 'bytes=a-b']) {
      expect(() => readByteRange(header, 10), header).toThrow(
        expect.objectContaining({ code: 'RANGE_NOT_SATISFIABLE', status: 416 }),
      );
    }
  });
});
