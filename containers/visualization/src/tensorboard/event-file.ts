import type { MetricPoint } from '@kiln/api';
import { encodeEvent, FILE_VERSION } from './event-proto.js';
import { frameRecord } from './tfrecord.js';

/** One series metric of an artifact, with its points. */
export interface SeriesData {
  /** The metric name, used as the TensorBoard tag. */
  tag: string;
  points: MetricPoint[];
}

/**
 * The bytes of one TensorBoard event file holding every point of `series`.
 *
 * Points are written one event each, ordered by step and then time: TensorBoard discards a
 * tag's points when it meets a step lower than the last one it saw (it takes that for a
 * restarted run), so the order must never go backwards across tags.
 */
export function encodeEventFile(series: SeriesData[], createdAt: Date): Buffer {
  const points = series
    .flatMap(({ tag, points: values }) => values.map((point) => ({ tag, point })))
    .sort(
      (a, b) => a.point.step - b.point.step || Date.parse(a.point.time) - Date.parse(b.point.time),
    );
  const records = [
    frameRecord(
      encodeEvent({ wallTime: createdAt.getTime() / 1000, step: 0, fileVersion: FILE_VERSION }),
    ),
    ...points.map(({ tag, point }) =>
      frameRecord(
        encodeEvent({
          wallTime: Date.parse(point.time) / 1000,
          step: point.step,
          summary: { value: [{ tag, simpleValue: point.value }] },
        }),
      ),
    ),
  ];
  return Buffer.concat(records);
}

/**
 * The file name TensorBoard looks for (`events.out.tfevents.<seconds>.<host>`); fixed per
 * artifact so the same export gives the same names.
 */
export function eventFileName(createdAt: Date): string {
  return `events.out.tfevents.${Math.floor(createdAt.getTime() / 1000)}.kiln`;
}
