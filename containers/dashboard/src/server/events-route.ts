import { ErrorCode, KilnError } from '@kiln/api';
import { openEventStream } from '@kiln/core';
import { Router } from 'express';
import type { PipelineEvents } from './pipeline-events.js';

/**
 * `GET /pipelines/{name}/events`: Server-Sent Events merging the pipeline's and its
 * containers' `/events`. Events: `artifact` (a summary with its `container`), `ready` (once:
 * every stream is open, list now) and `resync` (a container's stream reopened, list again).
 * `streamOf` gives the pipeline's merged stream, or undefined for a name that is no pipeline.
 */
export function eventsRoute(
  streamOf: (name: string) => Promise<PipelineEvents | undefined>,
): Router {
  const router = Router();
  router.get('/pipelines/:name/events', async (req, res) => {
    const stream = await streamOf(req.params.name);
    if (!stream) {
      throw new KilnError(ErrorCode.RouteNotFound, `no pipeline named '${req.params.name}'`, {
        status: 404,
      });
    }
    const events = openEventStream(req, res);
    events.onClose(
      stream.subscribe({
        artifact: (summary) => events.send('artifact', summary),
        ready: () => events.send('ready', {}),
        resync: (container) => events.send('resync', { container }),
      }),
    );
  });
  return router;
}
