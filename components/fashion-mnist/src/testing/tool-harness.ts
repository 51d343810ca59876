import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactRecord, ArtifactSummary, CreateArtifactRequest } from '@kiln/api';
import { startToolServer, type Logger } from '@kiln/core';

/** A tool server started for a test or a benchmark, with its own temporary data folder. */
export interface ToolHandle {
  url: string;
  dataDir: string;
  /** Stops the server and its mule and removes the data folder. */
  close(): Promise<void>;
}

/** Starts the tool module (a built `dist/tool.js`) on a free loopback port. */
export async function startTool(modulePath: string, logger?: Logger): Promise<ToolHandle> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-tool-'));
  const server = await startToolServer({ modulePath, dataDir, port: 0, host: '127.0.0.1', logger });
  return {
    url: server.url,
    dataDir,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An HTTP answer that was not what the caller expected, with its problem document. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'HttpStatusError';
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `POST /artifacts` with a JSON body; throws {@link HttpStatusError} unless 202. */
export async function createArtifact(
  base: string,
  request: CreateArtifactRequest,
): Promise<ArtifactSummary> {
  const response = await fetch(`${base}/artifacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = await readBody(response);
  if (response.status !== 202) throw new HttpStatusError(response.status, body);
  return body as ArtifactSummary;
}

/** `POST /artifacts` as multipart, with input files; throws unless 202. */
export async function createArtifactWithFiles(
  base: string,
  request: { name?: string; parameters?: Record<string, unknown> },
  files: Record<string, Uint8Array>,
): Promise<ArtifactSummary> {
  const form = new FormData();
  if (request.name) form.set('name', request.name);
  form.set('parameters', JSON.stringify(request.parameters ?? {}));
  for (const [field, bytes] of Object.entries(files))
    form.set(field, new Blob([bytes]), `${field}.idx`);
  const response = await fetch(`${base}/artifacts`, { method: 'POST', body: form });
  const body = await readBody(response);
  if (response.status !== 202) throw new HttpStatusError(response.status, body);
  return body as ArtifactSummary;
}

/** Long-polls `status?wait=` until the artifact is final, then returns its full record. */
export async function waitForArtifact(base: string, name: string): Promise<ArtifactRecord> {
  for (;;) {
    const response = await fetch(`${base}/artifacts/${name}/status?wait=30`);
    const summary = (await readBody(response)) as ArtifactSummary;
    if (response.status !== 200) throw new HttpStatusError(response.status, summary);
    if (['completed', 'failed', 'cancelled'].includes(summary.status)) break;
  }
  const record = await fetch(`${base}/artifacts/${name}/`);
  return (await record.json()) as ArtifactRecord;
}

/** The URL another tool takes as a `kiln-artifact` parameter. */
export function artifactUrl(base: string, name: string): string {
  return `${base}/artifacts/${name}/`;
}

/** Creates an artifact, waits for it, and throws with its error and log unless it completed. */
export async function buildArtifact(
  base: string,
  name: string,
  parameters: Record<string, unknown>,
): Promise<ArtifactRecord> {
  await createArtifact(base, { name, parameters });
  const record = await waitForArtifact(base, name);
  if (record.status !== 'completed') {
    const log = await (await fetch(`${base}/artifacts/${name}/log`)).text();
    throw new Error(`${name} ended ${record.status}: ${record.error}\n${log}`);
  }
  return record;
}

/** GETs JSON (a data file, a report view); throws unless 200. */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = await readBody(response);
  if (response.status !== 200) throw new HttpStatusError(response.status, body);
  return body as T;
}
