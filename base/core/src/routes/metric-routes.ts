import { ErrorCode, KilnError, METRIC_VIEWS } from '@kiln/api';
import {
  listMetricFiles,
  listMetrics,
  readReport,
  readSeries,
  seriesToCsv,
} from '../metrics/metric-reader.js';
import { renderSeriesSvg } from '../metrics/svg-chart.js';
import { schemaRef } from '../http/openapi-schemas.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { nameParam } from './route-params.js';

/** `GET /metrics` and `GET /metrics/{metric}/{view}`. */
export function metricRoutes(ctx: ToolServerContext): RouteSpec[] {
  const base = `${ctx.collectionPath}/{name}/metrics`;
  return [
    {
      method: 'get',
      path: base,
      operationId: 'listMetrics',
      summary: 'The metrics: name, kind (series or report), views, last point',
      responses: { '200': 'the metrics', '404': 'no such artifact' },
      content: { 'application/json': { type: 'array', items: schemaRef('MetricInfo') } },
      handler: async (req, res) => {
        const name = nameParam(req);
        await ctx.store.require(name);
        res.json(await listMetrics(ctx.store.paths(name).metrics));
      },
    },
    {
      method: 'get',
      path: `${base}/{metric}/{view}`,
      operationId: 'getMetricView',
      summary: 'A view of a metric: values, csv, latest, svg (series) or json (report)',
      responses: { '200': 'the view', '404': 'no such artifact, metric or view' },
      content: {
        'application/json': {
          description:
            '`values`: every point; `latest`: the last point (or null); `json`: the report',
          anyOf: [
            { type: 'array', items: schemaRef('MetricPoint') },
            schemaRef('MetricPoint'),
            { type: 'null' },
            { description: 'a report: any JSON' },
          ],
        },
        'text/csv': { type: 'string' },
        'image/svg+xml': { type: 'string' },
      },
      handler: async (req, res) => {
        const name = nameParam(req);
        const metricName = nameParam(req, 'metric');
        const view = String(req.params['view']);
        await ctx.store.require(name);
        const metric = (await listMetricFiles(ctx.store.paths(name).metrics)).find(
          (file) => file.name === metricName,
        );
        if (!metric)
          throw new KilnError(
            ErrorCode.MetricNotFound,
            `artifact '${name}' has no metric '${metricName}'`,
            { status: 404 },
          );
        const views: readonly string[] = METRIC_VIEWS[metric.kind];
        if (!views.includes(view)) {
          throw new KilnError(
            ErrorCode.RouteNotFound,
            `a ${metric.kind} metric has the views ${views.join(', ')}, not '${view}'`,
            { status: 404 },
          );
        }
        res.setHeader('Cache-Control', 'no-cache');
        if (metric.kind === 'report') {
          res.json(await readReport(metric.path));
          return;
        }
        const points = await readSeries(metric.path);
        if (view === 'values') res.json(points);
        else if (view === 'latest') res.json(points.at(-1) ?? null);
        else if (view === 'csv') res.type('text/csv; charset=utf-8').send(seriesToCsv(points));
        else res.type('image/svg+xml').send(renderSeriesSvg(metricName, points));
      },
    },
  ];
}
