import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

describe('LineSplitter', () => {
  it('splits lines across chunks, multi-byte characters included, and counts their bytes', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('héllo\r\nwörld\npart');
    expect(splitter.push(bytes.subarray(0, 2))).toEqual([]);
    expect(splitter.push(bytes.subarray(2, 9))).toEqual(['héllo']);
    expect(splitter.consumed).toBe(8);
    expect(splitter.push(bytes.subarray(9))).toEqual(['wörld']);
    expect(splitter.consumed).toBe(15);
    expect(splitter.flush()).toEqual(['part']);
    expect(splitter.consumed).toBe(bytes.length);
    expect(splitter.flush()).toEqual([]);
  });
});
