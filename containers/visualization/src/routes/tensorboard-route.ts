import type { Logger } from '@kiln/core';
import archiver from 'archiver';
import { Router } from 'express';
import { once } from 'node:events';
import type { MetricCollector } from '../metrics/metric-collector.js';
import { encodeEventFile, eventFileName } from '../tensorboard/event-file.js';

/**
 * `GET /tensorboard`: a streamed zip of `{container}/{artifact}/events.out.tfevents.*`, one
 * event file per artifact with series metrics, so `tensorboard --logdir` on the unzipped
 * folder shows one run per artifact. Artifacts are read and written one at a time, so memory
 * stays at one artifact's points however many there are.
 */
export function tensorboardRoute(collector: MetricCollector, logger: Logger): Router {
  const router = Router();
  router.get('/tensorboard', async (req, res) => {
    const archive = archiver('zip', { zlib: { level: 6 } });
    let closed = false;
    req.once('close', () => {
      closed = !res.writableFinished;
      if (closed) archive.abort();
    });
    archive.on('warning', (warning) =>
      logger.warn('tensorboard zip warning', { reason: String(warning) }),
    );
    res.attachment('kiln-tensorboard.zip');
    res.type('application/zip');
    archive.pipe(res);
    try {
      for await (const { container, artifact, createdAt, series } of collector.series()) {
        if (closed) return;
        const entry = once(archive, 'entry');
        archive.append(encodeEventFile(series, createdAt), {
          name: `${container}/${artifact}/${eventFileName(createdAt)}`,
          date: createdAt,
        });
        await entry; // wait for the entry to be written before reading the next artifact
      }
      await archive.finalize();
    } catch (error) {
      // the zip is half sent: break the connection so the client cannot take it for whole
      logger.error('tensorboard export failed', {
        reason: error instanceof Error ? error.message : String(error),
      });
      archive.abort();
      res.destroy();
    }
  });
  return router;
}
