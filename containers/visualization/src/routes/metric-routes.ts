import { ErrorCode, isValidName, KilnError } from '@kiln/api';
import type { Logger } from '@kiln/core';
import { Router, type Request, type Response } from 'express';
import type { Request as GotRequest, Response as GotResponse } from 'got';
import { pipeline } from 'node:stream/promises';
import type { MetricCollector } from '../metrics/metric-collector.js';
import type { ContainerClient } from '../upstream/container-client.js';

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
  clients: ReadonlyMap<string, ContainerClient>,
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

async function forwardView(
  upstream: GotRequest,
  req: Request,
  res: Response,
  container: string,
  logger: Logger,
): Promise<void> {
  const response = await new Promise<GotResponse>((resolve, reject) => {
    upstream.once('response', resolve);
    upstream.once('error', reject);
  }).catch((error: unknown) => {
    throw new KilnError(ErrorCode.ContainerUnavailable, `container '${container}' did not answer`, {
      status: 502,
      retryable: true,
      cause: error,
    });
  });
  res.status(response.statusCode);
  for (const name of FORWARDED_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  req.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  await pipeline(upstream, res).catch((error: unknown) => {
    logger.warn('view forwarding ended early', { container, reason: String(error) });
  });
}
