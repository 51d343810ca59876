import { describe, expect, it } from 'vitest';
import { parseIdxHeader } from './idx-header.js';
import { encodeIdx } from './idx-writer.js';

describe('encodeIdx', () => {
  it('writes the big-endian header the reader decodes', () => {
    const bytes = encodeIdx([2, 300], new Uint8Array(600));
    expect([...bytes.subarray(0, 12)]).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 1, 44]);
    const header = parseIdxHeader(bytes, 'x');
    expect(header).toMatchObject({
      dataType: 'uint8',
      shape: [2, 300],
      headerBytes: 12,
      dataBytes: 600,
    });
  });

  it('refuses data that does not fill the shape', () => {
    expect(() => encodeIdx([2, 3], new Uint8Array(5))).toThrow(/needs 6 bytes, got 5/);
  });
});
