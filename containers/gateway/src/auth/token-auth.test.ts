import { describe, expect, it } from 'vitest';
import { AuthMethod, TokenAuth, readCookie, withoutCookie } from './token-auth.js';

describe('TokenAuth', () => {
  const auth = new TokenAuth('correct horse');

  it('accepts the bearer token and the session cookie, nothing else', () => {
    expect(auth.authenticate({ authorization: 'Bearer correct horse' })).toBeUndefined(); // a token has no spaces on the wire
    const spaced = new TokenAuth('t0ken');
    expect(spaced.authenticate({ authorization: 'Bearer t0ken' })).toBe(AuthMethod.Bearer);
    expect(spaced.authenticate({ authorization: 'bearer  t0ken ' })).toBe(AuthMethod.Bearer);
    expect(spaced.authenticate({ authorization: 'Basic t0ken' })).toBeUndefined();
    expect(spaced.authenticate({ authorization: 'Bearer t0ke' })).toBeUndefined();
    const cookie = spaced.sessionCookie(false).split(';')[0]!;
    expect(spaced.authenticate({ cookie })).toBe(AuthMethod.Cookie);
    expect(auth.authenticate({ cookie })).toBeUndefined();
    expect(spaced.authenticate({})).toBeUndefined();
  });

  it('marks the cookie Secure only over HTTPS', () => {
    expect(auth.sessionCookie(true)).toMatch(/; Secure$/);
    expect(auth.sessionCookie(false)).not.toContain('Secure');
  });
});

describe('cookie helpers', () => {
  it('reads and removes one cookie', () => {
    expect(readCookie('a=1; kiln_session=xyz; b=2', 'kiln_session')).toBe('xyz');
    expect(readCookie('a=1', 'kiln_session')).toBeUndefined();
    expect(withoutCookie('a=1; kiln_session=xyz; b=2', 'kiln_session')).toBe('a=1; b=2');
    expect(withoutCookie('kiln_session=xyz', 'kiln_session')).toBeUndefined();
  });
});
