import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The name of the cookie `POST /auth/session` sets. */
export const SESSION_COOKIE = 'kiln_session';

/** How a request proved it may pass: which credential matched, so the gateway can strip it. */
export const AuthMethod = { None: 'none', Bearer: 'bearer', Cookie: 'cookie' } as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

/**
 * Checks the project token. The session cookie holds an HMAC of the token rather than the
 * token itself, so a leaked cookie does not reveal it, and it stays valid across gateway
 * restarts without server-side state. Comparisons are constant-time.
 */
export class TokenAuth {
  readonly #tokenDigest: Buffer;
  readonly #cookieValue: string;

  constructor(token: string) {
    this.#tokenDigest = sha256(token);
    this.#cookieValue = createHmac('sha256', token).update('kiln-session-v1').digest('base64url');
  }

  /** True when `candidate` is the token. */
  matchesToken(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.#tokenDigest);
  }

  /** Which credential of these headers is valid, if any. */
  authenticate(headers: IncomingHttpHeaders): AuthMethod | undefined {
    const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (bearer !== undefined && this.matchesToken(bearer)) return AuthMethod.Bearer;
    const cookie = readCookie(headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined && safeEqual(cookie, this.#cookieValue)) return AuthMethod.Cookie;
    return undefined;
  }

  /** The `Set-Cookie` value that signs a browser in. */
  sessionCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=${this.#cookieValue}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }
}

/** The `Set-Cookie` value that signs a browser out. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** The value of cookie `name` in a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

/** The `Cookie` header without cookie `name`, or undefined when nothing is left. */
export function withoutCookie(header: string | undefined, name: string): string | undefined {
  const kept = (header ?? '')
    .split(';')
    .filter((part) => part.trim() && part.slice(0, part.indexOf('=')).trim() !== name)
    .map((part) => part.trim());
  return kept.length > 0 ? kept.join('; ') : undefined;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
