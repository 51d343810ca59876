import { KilnEventName } from '@kiln/api';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';

/** Keeps idle connections (and proxies between) from timing the stream out. */
const HEARTBEAT_MS = 15_000;

/** `GET /events`: Server-Sent Events, one `artifact` event per status or progress change. */
export function eventRoutes(ctx: ToolServerContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/events',
      operationId: 'events',
      summary: 'Server-Sent Events: an `artifact` event with the summary at every status or progress change',
      responses: { '200': 'the event stream' },
      content: { 'text/event-stream': { type: 'string' } },
      handler: (req, res) => {
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache, no-transform');
        res.setHeader('Connection', 'keep-alive');
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();
        res.write('retry: 2000\n: connected\n\n');
        const stop = ctx.events.onAnyArtifact((summary) => {
          res.write(`event: ${KilnEventName.Artifact}\ndata: ${JSON.stringify(summary)}\n\n`);
        });
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        req.socket.setTimeout(0);
        res.once('close', () => {
          stop();
          clearInterval(heartbeat);
        });
      },
    },
  ];
}
