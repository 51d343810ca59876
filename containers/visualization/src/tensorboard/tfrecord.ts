import crc32c from 'crc-32/crc32c.js';

/** TFRecord's checksum mask constant (tensorflow/core/lib/hash/crc32c.h). */
const MASK_DELTA = 0xa282ead8;

/** The masked CRC32C TFRecord stores, so that CRCs of data holding CRCs stay well spread. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/**
 * Frames one record: uint64 length, masked CRC32C of the length bytes, the data, masked
 * CRC32C of the data (all little-endian).
 */
export function frameRecord(data: Uint8Array): Buffer {
  const record = Buffer.alloc(8 + 4 + data.length + 4);
  record.writeBigUInt64LE(BigInt(data.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, 8)), 8);
  record.set(data, 12);
  record.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return record;
}

/** Thrown by {@link readRecords} on a truncated file or a checksum that does not match. */
export class TfRecordError extends Error {
  override readonly name = 'TfRecordError';
}

/**
 * Splits a TFRecord file into its records, checking both checksums of every record.
 * Used by the tests and by anyone who wants to read an export back.
 */
export function readRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < file.length) {
    if (offset + 12 > file.length) throw new TfRecordError(`truncated header at byte ${offset}`);
    const lengthBytes = file.subarray(offset, offset + 8);
    if (file.readUInt32LE(offset + 8) !== maskedCrc32c(lengthBytes)) {
      throw new TfRecordError(`length checksum mismatch at byte ${offset}`);
    }
    const length = Number(file.readBigUInt64LE(offset));
    const start = offset + 12;
    if (start + length + 4 > file.length)
      throw new TfRecordError(`truncated record at byte ${offset}`);
    const data = file.subarray(start, start + length);
    if (file.readUInt32LE(start + length) !== maskedCrc32c(data)) {
      throw new TfRecordError(`data checksum mismatch at byte ${offset}`);
    }
    records.push(data);
    offset = start + length + 4;
  }
  return records;
}
