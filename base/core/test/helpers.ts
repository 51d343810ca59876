import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createStreamLogger,
  startToolServer,
  type Logger,
  type RunningToolServer,
  type ToolServerOptions,
} from '@kiln/core';
import type { ArtifactSummary } from '@kiln/api';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');
const CLI = join(here, '..', '..', 'cli', 'dist', 'main.js');

function fixture(name: string): string {
  return join(FIXTURES, name);
}

export async function tempDir(prefix = 'kiln-core-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** An in-process server on a free port with its own data folder; `stop()` removes the folder. */
export async function startServer(
  fixtureName: string,
  options: Partial<ToolServerOptions> = {},
): Promise<RunningToolServer & { dataDir: string; stop(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await tempDir());
  const server = await startToolServer({
    modulePath: fixture(fixtureName),
    dataDir,
    port: 0,
    ...options,
  });
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server in its own process (`kiln serve`), so a test can `kill -9` it. */
export async function spawnServer(
  fixtureName: string,
  dataDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', fixture(fixtureName), '--port', '0', '--data', dataDir, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  const url = await new Promise<string>((done, fail) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) done(match[1]);
    });
    child.stderr!.resume();
    child.once('exit', (code) =>
      fail(new Error(`server exited with ${code} before listening: ${output}`)),
    );
  });
  return { url, child };
}

/** Kills a process with SIGKILL and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

export async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Creates an artifact and returns its summary; throws on a non-202. */
export async function create(
  base: string,
  body: Record<string, unknown>,
  collection = 'artifacts',
): Promise<ArtifactSummary> {
  const response = await postJson(`${base}/${collection}`, body);
  if (response.status !== 202)
    throw new Error(`create answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ArtifactSummary;
}

/** Long-polls until the artifact is final. */
export async function waitFinal(
  base: string,
  name: string,
  collection = 'artifacts',
): Promise<ArtifactSummary> {
  for (;;) {
    const response = await fetch(`${base}/${collection}/${name}/status?wait=30`);
    const summary = (await response.json()) as ArtifactSummary;
    if (['completed', 'failed', 'cancelled'].includes(summary.status)) return summary;
  }
}

/** An open `/events` stream (the server is subscribed once this resolves). */
export interface EventStream {
  /** Resolves with the next summary matching `predicate`. */
  waitFor(predicate: (summary: ArtifactSummary) => boolean): Promise<ArtifactSummary>;
  close(): void;
}

export async function openEvents(base: string): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${base}/events`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const nextSummary = async (): Promise<ArtifactSummary> => {
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data) return JSON.parse(data.slice(6)) as ArtifactSummary;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
    }
  };
  return {
    async waitFor(predicate) {
      for (;;) {
        const summary = await nextSummary();
        if (predicate(summary)) return summary;
      }
    },
    close: () => controller.abort(),
  };
}

/** Waits until an artifact is in progress with the given attempt, without polling. */
export async function waitInProgress(base: string, name: string, attempt = 1): Promise<void> {
  const matches = (s: ArtifactSummary): boolean =>
    s.name === name && s.status === 'in-progress' && s.attempt === attempt;
  const events = await openEvents(base);
  try {
    const current = (await (
      await fetch(`${base}/artifacts/${name}/status`)
    ).json()) as ArtifactSummary;
    if (!matches(current)) await events.waitFor(matches);
  } finally {
    events.close();
  }
}

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
export function rawGet(
  base: string,
  path: string,
): Promise<{ status: number; body: string; type: string }> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          body,
          type: String(res.headers['content-type'] ?? ''),
        }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

/** One line a `collectingLogger` saw. */
export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

/**
 * A real stream logger (JSON lines) whose lines a test can wait for, so a test synchronises on
 * what the server says it did rather than on time.
 */
export function collectingLogger(): {
  logger: Logger;
  lines: LogLine[];
  waitFor(predicate: (line: LogLine) => boolean, count?: number): Promise<LogLine[]>;
} {
  const lines: LogLine[] = [];
  const waiters: (() => void)[] = [];
  const logger = createStreamLogger({
    format: 'json',
    level: 'debug',
    stream: {
      write: (text: string) => {
        lines.push(JSON.parse(text) as LogLine);
        for (const wake of waiters.splice(0)) wake();
      },
    },
  });
  const waitFor = async (predicate: (line: LogLine) => boolean, count = 1): Promise<LogLine[]> => {
    for (;;) {
      const found = lines.filter(predicate);
      if (found.length >= count) return found;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { logger, lines, waitFor };
}

/** Waits until an event (or the current state) of artifact `name` satisfies `predicate`. */
export async function waitForSummary(
  base: string,
  name: string,
  predicate: (summary: ArtifactSummary) => boolean,
): Promise<ArtifactSummary> {
  const events = await openEvents(base);
  try {
    const current = (await (
      await fetch(`${base}/artifacts/${name}/status`)
    ).json()) as ArtifactSummary;
    if (predicate(current)) return current;
    return await events.waitFor((summary) => summary.name === name && predicate(summary));
  } finally {
    events.close();
  }
}

/** An answer read off a raw socket: status, headers (lower-case names) and body text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `text` as it is over a fresh TCP connection and reads the first answer, for requests
 * no HTTP client would send (a malformed request line, oversized headers, no Host).
 */
export function rawRequest(base: string, text: string): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', fail);
    socket.on('close', () => {
      const split = received.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = received.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      done({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: received.slice(split + 4),
      });
    });
  });
}
