import { datasetError } from '../util/dataset-error.js';

/**
 * IDX data types (the third byte of the magic number) with their element sizes in bytes.
 * Fashion-MNIST uses only `0x08` (unsigned bytes) for images and labels.
 */
export const IDX_DATA_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;

/** The decoded header of an IDX file. */
export interface IdxHeader {
  /** Name of the element type (`uint8` for Fashion-MNIST). */
  dataType: string;
  /** Bytes per element. */
  elementBytes: number;
  /** Dimension sizes, outermost first (`[60000, 28, 28]` for training images). */
  shape: number[];
  /** Bytes of the header: 4 + 4 × rank. */
  headerBytes: number;
  /** Bytes of data the header declares. */
  dataBytes: number;
}

/** Bytes needed before the header can be decoded: the magic number, then 4 bytes a dimension. */
export function idxHeaderLength(prefix: Uint8Array): number | null {
  if (prefix.length < 4) return null;
  return 4 + 4 * (prefix[3] ?? 0);
}

/**
 * Checks the 4-byte magic number: two zero bytes, a known data type, a rank above zero.
 * Throws a 422-like error naming `label` otherwise.
 */
export function checkIdxMagic(bytes: Uint8Array, label: string): void {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex');
    throw datasetError(
      `${label}: not an IDX file (wrong magic number 0x${magic}; an IDX file starts with 0x0000, then its type and rank)`,
    );
  }
  const typeCode = bytes[2] ?? 0;
  if (!(typeCode in IDX_DATA_TYPES)) {
    throw datasetError(
      `${label}: wrong magic number: unknown IDX data type 0x${typeCode.toString(16).padStart(2, '0')}`,
    );
  }
  if (bytes[3] === 0)
    throw datasetError(`${label}: wrong magic number: the IDX header declares zero dimensions`);
}

/**
 * Decodes an IDX header (big-endian, as the format prescribes). `label` names the file in
 * error messages. Throws a 422-like error for a wrong magic number or a short header.
 */
export function parseIdxHeader(bytes: Uint8Array, label: string): IdxHeader {
  checkIdxMagic(bytes, label);
  const type = IDX_DATA_TYPES[bytes[2] as keyof typeof IDX_DATA_TYPES];
  const rank = bytes[3] ?? 0;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw datasetError(`${label}: truncated IDX header (${bytes.length} of ${headerBytes} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const dataBytes = shape.reduce((product, size) => product * size, type.bytes);
  return { dataType: type.name, elementBytes: type.bytes, shape, headerBytes, dataBytes };
}

/** Encodes an IDX header for unsigned-byte data of the given shape. */
export function encodeIdxHeader(shape: readonly number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((size, i) => header.writeUInt32BE(size, 4 + 4 * i));
  return header;
}

/** `60000x28x28`, for messages. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('x');
}
