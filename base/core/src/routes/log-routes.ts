import { isFinalStatus } from '@kiln/api';
import type { Response } from 'express';
import { open } from 'node:fs/promises';
import { byteOffset, flag } from '../http/query.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { nameParam } from './route-params.js';

const READ_CHUNK_BYTES = 64 * 1024;

/** Copies the log from `offset` to its current end into the response; returns the new offset. */
async function copyLog(path: string, offset: number, res: Response): Promise<number> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return offset;
  }
  try {
    let position = offset;
    for (;;) {
      // A fresh buffer per read: res.write may keep the chunk queued after it returns.
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return position;
      position += bytesRead;
      if (!res.write(buffer.subarray(0, bytesRead)))
        await new Promise((done) => res.once('drain', done));
    }
  } finally {
    await handle.close();
  }
}

/**
 * Streams new log bytes as the build writes them until the artifact is final. Driven by the
 * event hub's notifications, never by polling.
 */
async function followLog(
  ctx: ToolServerContext,
  name: string,
  path: string,
  offset: number,
  res: Response,
): Promise<void> {
  let position = offset;
  let pending = Promise.resolve();
  let closed = false;
  const pump = (): Promise<void> => {
    pending = pending.then(async () => {
      if (!closed) position = await copyLog(path, position, res);
    });
    return pending;
  };
  await new Promise<void>((done) => {
    const finish = (): void => {
      stopLog();
      stopArtifact();
      done();
    };
    const stopLog = ctx.events.onLog(name, () => void pump());
    const stopArtifact = ctx.events.onArtifact(name, (summary) => {
      if (isFinalStatus(summary.status)) void pump().then(finish);
    });
    res.once('close', () => {
      closed = true;
      finish();
    });
    void pump().then(async () => {
      const current = await ctx.store.get(name).catch(() => null);
      if (!current || isFinalStatus(current.status)) void pump().then(finish);
    });
  });
  res.end();
}

/** `GET /log` with `?offset=` and `?follow=1`. */
export function logRoutes(ctx: ToolServerContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${ctx.collectionPath}/{name}/log`,
      operationId: 'getLog',
      summary:
        'The build log as text; ?offset=N from byte N; ?follow=1 streams until the build ends',
      query: [
        {
          name: 'offset',
          description: 'start at this byte',
          schema: { type: 'integer', minimum: 0 },
        },
        {
          name: 'follow',
          description: '1 (or `true`, `yes`) to keep streaming until the build ends',
          schema: { enum: ['1', '0', 'true', 'false', 'yes', 'no', ''] },
        },
      ],
      responses: { '200': 'the log', '400': 'a bad offset', '404': 'no such artifact' },
      content: { 'text/plain': { type: 'string' } },
      handler: async (req, res) => {
        const name = nameParam(req);
        const offset = byteOffset(req);
        const follow = flag(req, 'follow');
        const artifact = await ctx.store.require(name);
        const path = ctx.store.paths(name).log;
        res.status(200).type('text/plain; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache');
        if (follow && !isFinalStatus(artifact.status)) {
          res.setHeader('X-Accel-Buffering', 'no');
          res.flushHeaders();
          await followLog(ctx, name, path, offset, res);
          return;
        }
        await copyLog(path, offset, res);
        res.end();
      },
    },
  ];
}
