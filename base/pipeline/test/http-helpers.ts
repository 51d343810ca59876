import type { ArtifactSummary } from '@kiln/api';
import got from 'got';

/** got for tests: no retries, errors as responses. */
export const http = got.extend({
  retry: { limit: 0 },
  throwHttpErrors: false,
  timeout: { request: 60_000 },
});

/** Waits for an artifact (or run) to reach a final state with the status long-poll. */
export async function waitFinal(artifactUrl: string): Promise<ArtifactSummary> {
  for (;;) {
    const summary = await http(`${artifactUrl}/status`, {
      searchParams: { wait: 30 },
    }).json<ArtifactSummary>();
    if (['completed', 'failed', 'cancelled'].includes(summary.status)) return summary;
  }
}

/**
 * Follows an artifact's log (`?follow=1`) until `text` has appeared `count` times; fails if the
 * log ends first. Event-driven: the server streams lines as they are written.
 */
export async function waitForLog(artifactUrl: string, text: string, count = 1): Promise<string> {
  const controller = new AbortController();
  const stream = got.stream(`${artifactUrl}/log`, {
    searchParams: { follow: 1 },
    signal: controller.signal,
    retry: { limit: 0 },
  });
  let log = '';
  try {
    for await (const chunk of stream) {
      log += (chunk as Buffer).toString('utf8');
      if (log.split(text).length - 1 >= count) return log;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    controller.abort();
  }
  throw new Error(`the log ended without ${count} × '${text}':\n${log}`);
}

/** POST a run and return its URL. */
export async function startRun(
  pipelineUrl: string,
  name: string,
  parameters: Record<string, unknown> = {},
): Promise<string> {
  const response = await http.post(`${pipelineUrl}/runs`, { json: { name, parameters } });
  if (response.statusCode !== 202)
    throw new Error(`create run: ${response.statusCode} ${response.body}`);
  return `${pipelineUrl}/runs/${name}`;
}

/** A subscription to a container's `/events`: waits for the first summary a predicate accepts. */
export interface EventWatch {
  next(predicate: (summary: ArtifactSummary) => boolean): Promise<ArtifactSummary>;
  close(): void;
}

/**
 * Subscribes to `GET /events` (Server-Sent Events) and resolves once connected, so nothing that
 * happens afterwards is missed.
 */
export async function watchEvents(containerUrl: string): Promise<EventWatch> {
  const controller = new AbortController();
  const stream = got.stream(`${containerUrl}/events`, {
    signal: controller.signal,
    retry: { limit: 0 },
  });
  const seen: ArtifactSummary[] = [];
  const waiters: {
    predicate: (s: ArtifactSummary) => boolean;
    done: (s: ArtifactSummary) => void;
  }[] = [];
  let buffer = '';
  stream.on('error', () => {});
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .find((line) => line.startsWith('data: '));
      buffer = buffer.slice(end + 2);
      if (!data) continue;
      const summary = JSON.parse(data.slice(6)) as ArtifactSummary;
      seen.push(summary);
      for (const waiter of waiters.filter((w) => w.predicate(summary))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.done(summary);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    stream.once('response', () => resolve());
    stream.once('error', reject);
  });
  return {
    next: (predicate) => {
      const found = seen.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((done) => waiters.push({ predicate, done }));
    },
    close: () => controller.abort(),
  };
}
