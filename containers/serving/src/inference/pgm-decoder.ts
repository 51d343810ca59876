import { ErrorCode, KilnError } from '@kiln/api';

/** A decoded grey image: 8-bit pixels, row-major. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** True when the bytes start like a PGM file (`P2` plain, `P5` raw). */
export function isPgm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35);
}

function invalid(detail: string): KilnError {
  return new KilnError(ErrorCode.InvalidImage, `not a valid PGM image: ${detail}`, { status: 400 });
}

const isSpace = (byte: number): boolean =>
  byte === 0x20 ||
  byte === 0x09 ||
  byte === 0x0a ||
  byte === 0x0d ||
  byte === 0x0b ||
  byte === 0x0c;

/** Reads whitespace-separated decimal tokens (skipping `#` comments) from `offset`. */
class TokenReader {
  offset: number;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array, offset: number) {
    this.#bytes = bytes;
    this.offset = offset;
  }

  /** The next unsigned integer, or null at the end of the data. */
  next(): number | null {
    const bytes = this.#bytes;
    for (;;) {
      while (this.offset < bytes.length && isSpace(bytes[this.offset]!)) this.offset++;
      if (bytes[this.offset] !== 0x23) break;
      while (
        this.offset < bytes.length &&
        bytes[this.offset] !== 0x0a &&
        bytes[this.offset] !== 0x0d
      )
        this.offset++;
    }
    if (this.offset >= bytes.length) return null;
    let value = 0;
    let digits = 0;
    while (this.offset < bytes.length && !isSpace(bytes[this.offset]!)) {
      const byte = bytes[this.offset]!;
      if (byte < 0x30 || byte > 0x39) throw invalid(`unexpected '${String.fromCharCode(byte)}'`);
      value = value * 10 + (byte - 0x30);
      digits++;
      this.offset++;
      if (digits > 9) throw invalid('a number is too long');
    }
    return value;
  }
}

/**
 * Decodes a PGM image (Netpbm grey map, plain `P2` or raw `P5`, 8 or 16 bits), which the image
 * library Kiln uses does not read. Samples are scaled to 0–255 by the file's maxval. The size is
 * checked against `maxPixels` before any pixel is read (a 413 above it).
 */
export function decodePgm(bytes: Uint8Array, maxPixels: number): GreyImage {
  if (!isPgm(bytes)) throw invalid('no P2 or P5 magic number');
  const plain = bytes[1] === 0x32;
  const reader = new TokenReader(bytes, 2);
  const width = reader.next();
  const height = reader.next();
  const maxval = reader.next();
  if (width === null || height === null || maxval === null)
    throw invalid('the header is truncated');
  if (width === 0 || height === 0) {
    throw new KilnError(ErrorCode.InvalidImage, `the image has no pixels (${width}×${height})`, {
      status: 400,
    });
  }
  if (width * height > maxPixels) {
    throw new KilnError(
      ErrorCode.ImageTooLarge,
      `the image is ${width}×${height} pixels; at most ${maxPixels} pixels are accepted`,
      { status: 413 },
    );
  }
  if (maxval < 1 || maxval > 65535) throw invalid(`maxval ${maxval} is not in 1–65535`);
  const count = width * height;
  const pixels = new Uint8Array(count);
  const scale = (sample: number): number => {
    if (sample > maxval) throw invalid(`a sample (${sample}) exceeds maxval ${maxval}`);
    return Math.round((sample * 255) / maxval);
  };
  if (plain) {
    for (let i = 0; i < count; i++) {
      const sample = reader.next();
      if (sample === null) throw invalid(`${count} samples expected, the data ends after ${i}`);
      pixels[i] = scale(sample);
    }
    return { width, height, pixels };
  }
  // Exactly one whitespace byte separates the header from the raw samples.
  const start = reader.offset + 1;
  const wide = maxval > 255;
  const needed = count * (wide ? 2 : 1);
  if (bytes.length - start < needed) {
    throw invalid(
      `${needed} bytes of samples expected, ${Math.max(0, bytes.length - start)} found`,
    );
  }
  for (let i = 0; i < count; i++) {
    pixels[i] = scale(
      wide ? (bytes[start + 2 * i]! << 8) | bytes[start + 2 * i + 1]! : bytes[start + i]!,
    );
  }
  return { width, height, pixels };
}
