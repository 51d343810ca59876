import type { IncomingMessage, ServerResponse } from 'node:http';
import { KilnError, type SessionState } from '@kiln/api';
import { readSmallBody, sendEmpty, sendJson, sendProblem } from '../http/responses.js';
import { TokenAuth, clearedSessionCookie } from './token-auth.js';

/** The path of the sign-in API. */
export const SESSION_PATH = '/auth/session';

const MAX_SIGN_IN_BYTES = 16 * 1024;

/** What the session routes need from the gateway. */
export interface SessionRouteContext {
  /** Undefined when the project sets no token. */
  auth: TokenAuth | undefined;
  /** Whether clients reach the gateway over HTTPS (the cookie is then `Secure`). */
  secure: boolean;
  signInPath: string | null;
}

/**
 * `/auth/session`: `GET` tells whether a token is required and whether this request carries a
 * valid credential; `POST` takes the token (JSON `{"token"}` or a form field `token`) and sets
 * the session cookie; `DELETE` clears it. A form post redirects (303) to its `next` field, or
 * back to the sign-in page with `?error=invalid-token`, so a plain HTML form works without
 * script.
 */
export async function handleSessionRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SessionRouteContext,
): Promise<void> {
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const state: SessionState = {
        required: ctx.auth !== undefined,
        authenticated: ctx.auth === undefined || ctx.auth.authenticate(req.headers) !== undefined,
      };
      sendJson(res, 200, state);
      return;
    }
    case 'POST':
      await signIn(req, res, ctx);
      return;
    case 'DELETE':
      sendEmpty(res, 204, { 'set-cookie': clearedSessionCookie(ctx.secure) });
      return;
    default:
      sendProblem(
        res,
        new KilnError('METHOD_NOT_ALLOWED', `${req.method} is not served on ${SESSION_PATH}`, {
          status: 405,
        }),
        {
          allow: 'GET, HEAD, POST, DELETE',
        },
      );
  }
}

async function signIn(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SessionRouteContext,
): Promise<void> {
  const form = isForm(req);
  const { token, next } = parseSignIn(await readSmallBody(req, MAX_SIGN_IN_BYTES), form, req);
  const accepted = ctx.auth === undefined || (token !== undefined && ctx.auth.matchesToken(token));
  const cookie: Record<string, string> =
    ctx.auth && accepted ? { 'set-cookie': ctx.auth.sessionCookie(ctx.secure) } : {};
  if (form) {
    const location = accepted ? safeNext(next) : signInRetryLocation(ctx.signInPath, next);
    if (location !== undefined) {
      sendEmpty(res, 303, { ...cookie, location });
      return;
    }
  }
  if (!accepted) {
    sendProblem(res, new KilnError('UNAUTHORIZED', 'the token is not valid', { status: 401 }));
    return;
  }
  sendEmpty(res, 204, cookie);
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');
}

function parseSignIn(
  body: Buffer,
  form: boolean,
  req: IncomingMessage,
): { token?: string; next?: string } {
  if (form) {
    const params = new URLSearchParams(body.toString('utf8'));
    return { token: params.get('token') ?? undefined, next: params.get('next') ?? undefined };
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) {
    throw new KilnError('UNSUPPORTED_MEDIA_TYPE', 'send the token as JSON or as a form', {
      status: 415,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new KilnError('MALFORMED_JSON', 'the body is not valid JSON', { status: 400, cause });
  }
  const token = (parsed as { token?: unknown } | null)?.token;
  if (typeof token !== 'string') {
    throw new KilnError('VALIDATION_FAILED', 'the body needs a string "token"', {
      status: 422,
      errors: [{ path: '/token', message: 'must be a string' }],
    });
  }
  return { token };
}

/** Only a same-origin path may be a redirect target, never `//host` or a full URL. */
function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
  return /[\\\u0000-\u001f\u007f]/.test(next) ? '/' : next;
}

function signInRetryLocation(
  signInPath: string | null,
  next: string | undefined,
): string | undefined {
  if (signInPath === null) return undefined;
  const query = new URLSearchParams({ error: 'invalid-token' });
  if (next) query.set('next', safeNext(next));
  return `${signInPath}?${query}`;
}
