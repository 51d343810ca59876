import { ErrorCode, KilnError } from '@kiln/api';
import parseRange from 'range-parser';

/** What a `Range` header asks of a file of a given size. */
export type ByteRange = { kind: 'whole' } | { kind: 'part'; start: number; end: number };

/** `bytes=…` and other units: a token, `=`, then the unit's own syntax (RFC 9110, 14.1). */
const RANGE_HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(.*)$/;

/**
 * Reads a `Range` header for a file of `size` bytes. No header, a unit other than bytes (which
 * RFC 9110 says to ignore) or several ranges (served whole, as servers may) give the whole
 * file; one satisfiable range gives that part. A header that cannot be parsed, or bytes none of
 * which exist (`bytes=-0`, `bytes=5-1`, a start past the end), is a 416 `RANGE_NOT_SATISFIABLE`:
 * the caller answers it with `Content-Range: bytes *\/size`.
 */
export function readByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: 'whole' };
  const match = RANGE_HEADER.exec(header.trim());
  if (!match) throw unsatisfiable(header, size, 'is not a range');
  const [, unit = '', spec = ''] = match;
  if (unit.toLowerCase() !== 'bytes') return { kind: 'whole' };
  const ranges = parseRange(size, `bytes=${spec}`, { combine: true });
  if (ranges === -2) throw unsatisfiable(header, size, 'is malformed');
  if (ranges === -1) throw unsatisfiable(header, size, 'asks for no byte the file has');
  const [only] = ranges;
  return ranges.length === 1 && only
    ? { kind: 'part', start: only.start, end: only.end }
    : { kind: 'whole' };
}

function unsatisfiable(header: string, size: number, why: string): KilnError {
  const shown = header.length > 100 ? `${header.slice(0, 100)}…` : header;
  return new KilnError(
    ErrorCode.RangeNotSatisfiable,
    `the range '${shown}' ${why} (the file has ${size} bytes)`,
    { status: 416 },
  );
}
