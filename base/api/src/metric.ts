export const MetricKind = { Series: 'series', Report: 'report' } as const;
export type MetricKind = (typeof MetricKind)[keyof typeof MetricKind];

/** The views each metric kind serves (`/metrics/{metric}/{view}`). */
export const METRIC_VIEWS = {
  series: ['values', 'csv', 'latest', 'svg'],
  report: ['json'],
} as const satisfies Record<MetricKind, readonly string[]>;

/** One point of a series metric. */
export interface MetricPoint {
  step: number;
  value: number;
  time: string;
}

/** `GET /artifacts/{name}/metrics` entries. */
export interface MetricInfo {
  name: string;
  kind: MetricKind;
  views: string[];
  /** The last point of a series; null for a report. */
  last: MetricPoint | null;
}
