import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_LIMITS, resolveGatewayOptions } from './gateway-options.js';

describe('resolveGatewayOptions', () => {
  it('routes every service of the topology but the gateway and the dashboard', () => {
    const resolved = resolveGatewayOptions({
      topology: {
        services: [
          { name: 'gateway', role: 'gateway' },
          { name: 'dashboard', role: 'dashboard', address: 'http://127.0.0.1:9001' },
          { name: 'train', address: 'http://127.0.0.1:9005/' },
          { name: 'visualization', role: 'visualization' },
        ],
      },
      token: '',
    });
    expect(
      [...resolved.containers].map(([name, u]) => [name, u.target.href, u.composeUrl]),
    ).toEqual([
      ['train', 'http://127.0.0.1:9005/', 'http://train:8080'],
      ['visualization', 'http://visualization:8080/', 'http://visualization:8080'],
    ]);
    expect(resolved.dashboard?.target.href).toBe('http://127.0.0.1:9001/');
    expect(resolved.token).toBeUndefined();
    expect(resolved.limits).toEqual(DEFAULT_GATEWAY_LIMITS);
    expect(resolved.signInPath).toBe('/signin');
  });

  it('has no dashboard when no service has that role, and checks the public URL', () => {
    expect(resolveGatewayOptions({ topology: { services: [] } }).dashboard).toBeUndefined();
    expect(() =>
      resolveGatewayOptions({ topology: { services: [] }, publicUrl: 'ftp://x' }),
    ).toThrow(/http/);
  });
});
