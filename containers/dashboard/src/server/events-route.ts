import { ErrorCode, KilnError } from '@kiln/api';
import { Router } from 'express';
import type { PipelineEvents } from './pipeline-events.js';

/** How often a comment is sent on a quiet stream, so that proxies keep it open. */
const HEARTBEAT_MS = 20_000;

/**
 * `GET /pipelines/{name}/events`: Server-Sent Events merging the pipeline's and its
 * containers' `/events`. Events: `artifact` (a summary with its `container`), `ready` (once:
 * every stream is open, list now) and `resync` (a container's stream reopened, list again).
 */
export function eventsRoute(streams: ReadonlyMap<string, PipelineEvents>): Router {
  const router = Router();
  router.get('/pipelines/:name/events', (req, res) => {
    const stream = streams.get(req.params.name);
    if (!stream) {
      throw new KilnError(ErrorCode.RouteNotFound, `no pipeline named '${req.params.name}'`, { status: 404 });
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n: connected\n\n');
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const stop = stream.subscribe({
      artifact: (summary) => send('artifact', summary),
      ready: () => send('ready', {}),
      resync: (container) => send('resync', { container }),
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.socket.setTimeout(0);
    res.once('close', () => {
      stop();
      clearInterval(heartbeat);
    });
  });
  return router;
}
