import { METRIC_VIEWS, type MetricInfo, type MetricKind, type MetricPoint } from '@kiln/api';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORT_SUFFIX, SERIES_SUFFIX } from '../store/store-layout.js';

/** Where a metric's file is and what kind it is. */
export interface MetricFile {
  name: string;
  kind: MetricKind;
  path: string;
}

/** The metrics in an artifact's `metrics/` folder, sorted by name. */
export async function listMetricFiles(metricsDir: string): Promise<MetricFile[]> {
  let entries: string[];
  try {
    entries = await readdir(metricsDir);
  } catch {
    return [];
  }
  const files: MetricFile[] = [];
  for (const entry of entries) {
    if (entry.endsWith(SERIES_SUFFIX)) {
      files.push({
        name: entry.slice(0, -SERIES_SUFFIX.length),
        kind: 'series',
        path: join(metricsDir, entry),
      });
    } else if (entry.endsWith(REPORT_SUFFIX)) {
      files.push({
        name: entry.slice(0, -REPORT_SUFFIX.length),
        kind: 'report',
        path: join(metricsDir, entry),
      });
    }
  }
  // Code-unit order: the same listing whatever the machine's locale.
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `GET /metrics` entries: name, kind, views and the last point of a series. */
export async function listMetrics(metricsDir: string): Promise<MetricInfo[]> {
  const files = await listMetricFiles(metricsDir);
  return Promise.all(
    files.map(async (file) => ({
      name: file.name,
      kind: file.kind,
      views: [...METRIC_VIEWS[file.kind]],
      last: file.kind === 'series' ? ((await readSeries(file.path)).at(-1) ?? null) : null,
    })),
  );
}

/**
 * The points of a series file. A torn last line (the mule died mid-write) is skipped rather
 * than failing the whole series.
 */
export async function readSeries(path: string): Promise<MetricPoint[]> {
  const text = await readFile(path, 'utf8');
  const points: MetricPoint[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      points.push(JSON.parse(line) as MetricPoint);
    } catch {
      // skipped: an incomplete line
    }
  }
  return points;
}

export async function readReport(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

/** `step,value,time` with a header line. */
export function seriesToCsv(points: readonly MetricPoint[]): string {
  return `step,value,time\n${points.map((point) => `${point.step},${point.value},${point.time}`).join('\n')}${points.length ? '\n' : ''}`;
}
