import type { Request, Response } from 'express';

/** Keeps idle connections (and proxies between) from timing the stream out. */
const HEARTBEAT_MS = 15_000;

/** An open Server-Sent Events response. */
export interface EventStream {
  /** Sends one event with `data` as JSON. */
  send(event: string, data: unknown): void;
  /** Runs `cleanup` once the client goes away. */
  onClose(cleanup: () => void): void;
}

/**
 * Answers `req` with a Server-Sent Events stream: the headers that keep proxies from buffering
 * it, a reconnect delay, a heartbeat comment on quiet streams, and no socket timeout.
 *
 * @example
 * ```ts
 * router.get('/events', (req, res) => {
 *   const stream = openEventStream(req, res);
 *   stream.onClose(hub.onAny((summary) => stream.send('artifact', summary)));
 * });
 * ```
 */
export function openEventStream(req: Request, res: Response): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n: connected\n\n');
  req.socket.setTimeout(0);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  res.once('close', () => clearInterval(heartbeat));
  return {
    send: (event, data) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose: (cleanup) => {
      res.once('close', cleanup);
    },
  };
}
