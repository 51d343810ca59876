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
