import type { MetricPoint } from '@kiln/api';

/**
 * Several series on one x axis, as uPlot takes them: the steps of every series, sorted and
 * without repeats, then each series' value at each step (null where it has none, so a shorter
 * run's line simply ends).
 */
export function alignSeries(series: readonly (readonly MetricPoint[])[]): (number | null)[][] {
  const steps = [...new Set(series.flatMap((points) => points.map((p) => p.step)))].sort(
    (a, b) => a - b,
  );
  const columns = series.map((points) => {
    const byStep = new Map(points.map((p) => [p.step, p.value]));
    return steps.map((step) => byStep.get(step) ?? null);
  });
  return [steps, ...columns];
}
