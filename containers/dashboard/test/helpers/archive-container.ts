import type { ArtifactSummary, ToolDescription } from '@kiln/api';
import { createServer, type Server } from 'node:http';
import { listen } from './listen.js';

/**
 * A container holding `count` made-up archived artifacts (`archived-00000`, …), to try the
 * dashboard's tables with 10,000 rows without building 10,000 artifacts. It answers what the
 * dashboard and the pipeline read of a container: `GET /`, `/health`, `/artifacts` (with
 * `?status=`) and `/events` (held open); one in 97 artifacts failed.
 */
export async function startArchiveContainer(
  count: number,
): Promise<{ url: string; server: Server }> {
  const artifacts = Array.from({ length: count }, (_, i) => archived(count - 1 - i));
  const description: ToolDescription = {
    kind: 'tool',
    api: 'kiln/v1',
    name: 'archive',
    version: '1.0.0',
    description: 'Keeps earlier artifacts',
    artifactType: 'archive',
    parameters: { type: 'object', properties: {} },
    inputFiles: [],
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://archive');
    const json = (value: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/') return json(description);
    if (url.pathname === '/health') return json({ status: 'ok', queued: 0, running: 0 });
    if (url.pathname === '/artifacts') {
      const status = url.searchParams.get('status');
      return json(status ? artifacts.filter((a) => a.status === status) : artifacts);
    }
    if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': nothing ever changes here\n\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: '/problems/route-not-found', title: 'Not found', status: 404 }));
  });
  return { url: await listen(server), server };
}

function archived(i: number): ArtifactSummary {
  const created = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
  return {
    name: `archived-${String(i).padStart(5, '0')}`,
    status: i % 97 === 0 ? 'failed' : 'completed',
    createdAt: created,
    startedAt: created,
    finishedAt: created,
    progress: 1,
    message: null,
    error: i % 97 === 0 ? 'made-up failure' : null,
    attempt: 1,
    cached: false,
    cachedFrom: null,
  };
}
