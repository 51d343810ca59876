import { describe, expect, it } from 'vitest';
import { KilnError } from '@kiln/api';
import { resolveRoute } from './resolve-route.js';

describe('resolveRoute', () => {
  it('routes containers with the prefix stripped', () => {
    expect(resolveRoute('/containers/train/artifacts?status=completed')).toEqual({
      kind: 'container',
      name: 'train',
      prefix: '/containers/train',
      path: '/artifacts?status=completed',
    });
    expect(resolveRoute('/containers/train')).toMatchObject({ name: 'train', path: '/' });
    expect(resolveRoute('/containers/train?x=1')).toMatchObject({ name: 'train', path: '/?x=1' });
    expect(resolveRoute('/containers/%74rain/')).toMatchObject({
      name: 'train',
      prefix: '/containers/train',
      path: '/',
    });
  });

  it('keeps its own routes and sends everything else to the dashboard', () => {
    expect(resolveRoute('/healthz').kind).toBe('health');
    expect(resolveRoute('/auth/session').kind).toBe('session');
    expect(resolveRoute('/pipelines/')).toEqual({ kind: 'dashboard', path: '/pipelines/' });
    expect(resolveRoute('/containersx/a')).toEqual({ kind: 'dashboard', path: '/containersx/a' });
    // `/containers/` itself lists the containers: the dashboard answers it.
    expect(resolveRoute('/containers/')).toEqual({ kind: 'dashboard', path: '/containers/' });
    expect(resolveRoute('/containers?x=1')).toEqual({
      kind: 'dashboard',
      path: '/containers/?x=1',
    });
  });

  it('refuses absolute-form targets and invalid names', () => {
    const codeOf = (target: string): string | undefined => {
      try {
        resolveRoute(target);
      } catch (error) {
        return (error as KilnError).code;
      }
      return undefined;
    };
    expect(codeOf('http://evil.example/')).toBe('BAD_REQUEST');
    expect(codeOf('*')).toBe('BAD_REQUEST');
    expect(codeOf('/containers/%2e%2e/x')).toBe('INVALID_NAME');
    expect(codeOf('/containers/a%2Fb/x')).toBe('INVALID_NAME');
    expect(codeOf('/containers/%zz/x')).toBe('INVALID_NAME');
    expect(codeOf('/containers//x')).toBe('INVALID_NAME');
  });
});
