import type { IncomingMessage, ServerResponse } from 'node:http';
import { KilnError, PROBLEM_CONTENT_TYPE, toProblemDocument } from '@kiln/api';

/** Titles `@kiln/api` has no entry for. */
const EXTRA_TITLES: Record<number, string> = { 504: 'Gateway timeout', 303: 'See other' };

/**
 * Answers with the RFC 9457 document of `error` (a generic detail for unexpected errors).
 * A response already under way cannot change its status, so it is cut instead.
 */
export function sendProblem(
  res: ServerResponse,
  error: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const problem = toProblemDocument(error);
  const title = EXTRA_TITLES[problem.status];
  if (title && problem.title === 'Error') problem.title = title;
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Answers with a small JSON document. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Answers with no body. */
export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { ...headers, 'content-length': 0 });
  res.end();
}

/** Reads a small request body, refusing one larger than `maxBytes` with a 413. */
export async function readSmallBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The 413 every size limit answers with. */
export function tooLarge(maxBytes: number): KilnError {
  return new KilnError('PAYLOAD_TOO_LARGE', `the request body is larger than ${maxBytes} bytes`, {
    status: 413,
  });
}
