import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GATEWAY_LIMITS,
  parseContainerUrls,
  resolveGatewayOptions,
} from './gateway-options.js';

describe('parseContainerUrls', () => {
  it('reads name=url pairs', () => {
    expect([
      ...parseContainerUrls(' import=http://import:8080, ,train=http://train:8080 '),
    ]).toEqual([
      ['import', 'http://import:8080'],
      ['train', 'http://train:8080'],
    ]);
    expect(parseContainerUrls(undefined).size).toBe(0);
  });

  it('refuses malformed and duplicate entries', () => {
    expect(() => parseContainerUrls('http://import:8080')).toThrow(/name=url/);
    expect(() => parseContainerUrls('a=http://x,a=http://y')).toThrow(/twice/);
  });
});

describe('resolveGatewayOptions', () => {
  it('applies defaults and checks names and URLs', () => {
    const resolved = resolveGatewayOptions({
      containers: { train: 'http://train:8080' },
      token: '',
    });
    expect(resolved.token).toBeUndefined();
    expect(resolved.limits).toEqual(DEFAULT_GATEWAY_LIMITS);
    expect(resolved.signInPath).toBe('/signin');
    expect(() => resolveGatewayOptions({ containers: { '../x': 'http://x' } })).toThrow(
      /invalid container name/,
    );
    expect(() => resolveGatewayOptions({ containers: { x: 'file:///etc' } })).toThrow(/http/);
    expect(() => resolveGatewayOptions({ containers: { x: 'not a url' } })).toThrow(/not a URL/);
  });
});
