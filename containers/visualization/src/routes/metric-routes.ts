import { ErrorCode, isValidName, KilnError } from '@kiln/api';
import type { OpenStream } from '@kiln/client';
import type { Logger } from '@kiln/core';
import { Router, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { MetricCollector } from '../metrics/metric-collector.js';
import type { ContainerMetrics } from '../upstream/container-metrics.js';

/** Headers of a view response worth passing on to the client. */
const FORWARDED_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'cache-control',
];

/** `GET /metrics` and `GET /metrics/{container}/{artifact}/{metric}/{view}`. */
export function metricRoutes(
  clients: ReadonlyMap<string, ContainerMetrics>,
  collector: MetricCollector,
  logger: Logger,
): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.json(await collector.listAll());
  });
  router.get('/metrics/:container/:artifact/:metric/:view', async (req, res) => {
    const { container, artifact, metric, view } = req.params;
    const client = clients.get(container);
    if (!client)
      throw new KilnError(ErrorCode.ContainerNotFound, `no container named '${container}'`, {
        status: 404,
      });
    if (!isValidName(artifact))
      throw new KilnError(ErrorCode.InvalidName, `'${artifact}' is not a valid name`, {
        status: 400,
      });
    for (const segment of [metric, view]) {
      if (segment === '.' || segment === '..') {
        throw new KilnError(ErrorCode.InvalidPath, 'dot segments are refused', { status: 400 });
      }
    }
    await forwardView(await client.streamView(artifact, metric, view), req, res, container, logger);
  });
  return router;
}

/** Passes a view on as it arrives, with its status and the headers worth keeping. */
async function forwardView(
  upstream: OpenStream,
  req: Request,
  res: Response,
  container: string,
  logger: Logger,
): Promise<void> {
  res.status(upstream.status);
  for (const name of FORWARDED_HEADERS) {
    const value = upstream.headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  req.once('close', () => {
    if (!res.writableFinished) upstream.body.destroy();
  });
  await pipeline(upstream.body, res).catch((error: unknown) => {
    logger.warn('view forwarding ended early', { container, reason: String(error) });
  });
}
