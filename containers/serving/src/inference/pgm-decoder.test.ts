import { describe, expect, it } from 'vitest';
import { decodePgm, isPgm } from './pgm-decoder.js';

describe('decodePgm', () => {
  it('reads raw and plain grey maps, with comments, scaling samples to 0–255', () => {
    const raw = decodePgm(
      Buffer.concat([Buffer.from('P5 # a comment\n3 1 255\n'), Buffer.from([0, 128, 255])]),
      100,
    );
    expect(raw).toEqual({ width: 3, height: 1, pixels: Uint8Array.of(0, 128, 255) });
    const plain = decodePgm(Buffer.from('P2\n2 2\n# max\n15\n0 15\n5 10\n'), 100);
    expect(Array.from(plain.pixels)).toEqual([0, 255, 85, 170]);
    const wide = decodePgm(
      Buffer.concat([Buffer.from('P5\n2 1\n65535\n'), Buffer.from([0xff, 0xff, 0x80, 0x00])]),
      100,
    );
    expect(Array.from(wide.pixels)).toEqual([255, 128]);
    expect(isPgm(Buffer.from('P5'))).toBe(true);
    expect(isPgm(Buffer.from('P6'))).toBe(false);
  });

  it('refuses empty, oversized, truncated and malformed images', () => {
    expect(() => decodePgm(Buffer.from('P5\n0 3\n255\n'), 100)).toThrow(/no pixels \(0×3\)/);
    expect(() => decodePgm(Buffer.from('P5\n20000 20000\n255\n'), 1e6)).toThrow(
      expect.objectContaining({ code: 'IMAGE_TOO_LARGE', status: 413 }),
    );
    expect(() => decodePgm(Buffer.from('P5\n4 4\n255\nab'), 100)).toThrow(
      /16 bytes of samples expected, 2 found/,
    );
    expect(() => decodePgm(Buffer.from('P2\n2 2\n255\n1 2 3'), 100)).toThrow(
      /the data ends after 3/,
    );
    expect(() => decodePgm(Buffer.from('P2\n1 1\n10\n11'), 100)).toThrow(/exceeds maxval/);
    expect(() => decodePgm(Buffer.from('P5\nx 1\n255\n'), 100)).toThrow(/unexpected 'x'/);
    expect(() => decodePgm(Buffer.from('P5\n2'), 100)).toThrow(
      expect.objectContaining({ code: 'INVALID_IMAGE', status: 400 }),
    );
  });
});
