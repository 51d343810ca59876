import crc32c from 'crc-32/crc32c.js';
import { describe, expect, it } from 'vitest';
import { encodeEventFile, eventFileName } from './event-file.js';
import { decodeEvent, FILE_VERSION } from './event-proto.js';
import { frameRecord, maskedCrc32c, readRecords, TfRecordError } from './tfrecord.js';

const CREATED = new Date('2026-01-02T03:04:05.678Z');

describe('TFRecord framing', () => {
  it('computes CRC32C with the standard check value', () => {
    expect(crc32c.buf(Buffer.from('123456789')) >>> 0).toBe(0xe3069283);
  });

  it('masks the checksum as TensorFlow does', () => {
    const crc = crc32c.buf(Buffer.from('abc')) >>> 0;
    const expected = Number(
      (BigInt((crc >>> 15) | ((crc << 17) >>> 0)) + 0xa282ead8n) & 0xffffffffn,
    );
    expect(maskedCrc32c(Buffer.from('abc'))).toBe(expected);
  });

  it('frames and reads records back', () => {
    const file = Buffer.concat([
      frameRecord(Buffer.from('one')),
      frameRecord(Buffer.alloc(0)),
      frameRecord(Buffer.from('three')),
    ]);
    expect(readRecords(file).map((r) => r.toString())).toEqual(['one', '', 'three']);
    expect(file.readBigUInt64LE(0)).toBe(3n);
  });

  it('refuses a corrupted data byte and a corrupted length', () => {
    const file = frameRecord(Buffer.from('payload'));
    const badData = Buffer.from(file);
    badData[13] = (badData[13] ?? 0) ^ 0xff;
    expect(() => readRecords(badData)).toThrow(TfRecordError);
    const badLength = Buffer.from(file);
    badLength[0] = (badLength[0] ?? 0) ^ 0x01;
    expect(() => readRecords(badLength)).toThrow(/length checksum/);
    expect(() => readRecords(file.subarray(0, file.length - 1))).toThrow(/truncated/);
  });
});

describe('encodeEventFile', () => {
  it('writes the file version first, then one event per point ordered by step', () => {
    const file = encodeEventFile(
      [
        {
          tag: 'loss',
          points: [
            { step: 0, value: 2.5, time: '2026-01-02T03:04:06.000Z' },
            { step: 1, value: 1.25, time: '2026-01-02T03:04:07.000Z' },
          ],
        },
        { tag: 'accuracy', points: [{ step: 1, value: 0.1, time: '2026-01-02T03:04:07.500Z' }] },
      ],
      CREATED,
    );
    const events = readRecords(file).map((record) => decodeEvent(record));
    expect(events[0]).toMatchObject({
      fileVersion: FILE_VERSION,
      wallTime: CREATED.getTime() / 1000,
    });
    expect(
      events
        .slice(1)
        .map((e) => [e.step, e.summary?.value[0]?.tag, e.summary?.value[0]?.simpleValue]),
    ).toEqual([
      [0, 'loss', 2.5],
      [1, 'loss', 1.25],
      [1, 'accuracy', Math.fround(0.1)],
    ]);
    expect(events[3]?.wallTime).toBe(Date.parse('2026-01-02T03:04:07.500Z') / 1000);
  });

  it('keeps large steps exact', () => {
    const file = encodeEventFile(
      [{ tag: 'x', points: [{ step: 2 ** 40, value: 1, time: CREATED.toISOString() }] }],
      CREATED,
    );
    expect(decodeEvent(readRecords(file)[1] as Buffer).step).toBe(2 ** 40);
  });

  it('names the file so TensorBoard finds it', () => {
    expect(eventFileName(CREATED)).toBe(
      `events.out.tfevents.${Math.floor(CREATED.getTime() / 1000)}.kiln`,
    );
  });
});
