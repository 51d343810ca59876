import { describe, expect, it } from 'vitest';
import { gatewayPath } from './service-role.js';
import { Topology } from './topology.js';

const topology = new Topology({
  project: 'p',
  services: [
    { name: 'gateway', role: 'gateway', address: 'http://127.0.0.1:9000/' },
    { name: 'import', address: 'http://127.0.0.1:9002' },
    { name: 'import-2', address: 'http://127.0.0.1:9003' },
    { name: 'train' },
  ],
});

describe('Topology', () => {
  it('fills in roles and compose URLs', () => {
    expect(topology.service('import')).toEqual({
      name: 'import',
      role: 'container',
      url: 'http://import:8080',
      address: 'http://127.0.0.1:9002',
    });
    expect(topology.service('gateway')?.address).toBe('http://127.0.0.1:9000');
    expect(topology.withRole('container').map((s) => s.name)).toEqual([
      'import',
      'import-2',
      'train',
    ]);
  });

  it('resolves compose URLs of known services to their addresses, and leaves the rest', () => {
    expect(topology.resolve('http://import:8080/artifacts/x/')).toBe(
      'http://127.0.0.1:9002/artifacts/x/',
    );
    expect(topology.resolve('http://import:8080')).toBe('http://127.0.0.1:9002');
    expect(topology.resolve('http://import-2:8080/runs?x=1')).toBe(
      'http://127.0.0.1:9003/runs?x=1',
    );
    for (const other of [
      'http://train:8080/artifacts/a/', // no address: its compose URL already works
      'http://import:80/artifacts/x/',
      'http://import:80801/x',
      'https://import:8080/x',
      'http://imports:8080/x',
      'http://elsewhere.example:8080/x',
      'not a url',
    ])
      expect(topology.resolve(other), other).toBe(other);
  });

  it('turns addresses back into compose URLs, on URL boundaries only', () => {
    expect(topology.canonical('http://127.0.0.1:9002/artifacts/x/')).toBe(
      'http://import:8080/artifacts/x/',
    );
    expect(topology.canonical('http://127.0.0.1:9003')).toBe('http://import-2:8080');
    expect(topology.canonical('http://127.0.0.1:90021/x')).toBe('http://127.0.0.1:90021/x');
    expect(topology.canonical('http://train:8080/x')).toBe('http://train:8080/x');
  });

  it('round-trips through its plain form and takes new addresses', () => {
    const copy = Topology.from(JSON.parse(JSON.stringify(topology)));
    expect(copy.services).toEqual(topology.services);
    expect(copy.project).toBe('p');
    const moved = topology.withAddresses({ train: 'http://10.0.0.7:8080' });
    expect(moved.resolve('http://train:8080/x')).toBe('http://10.0.0.7:8080/x');
    expect(() => topology.withAddresses({ ghost: 'http://x' })).toThrow(/ghost/);
    expect(Topology.from(undefined)).toBe(Topology.EMPTY);
    expect(Topology.from(topology)).toBe(topology);
  });

  it.each([
    [[{ name: 'a b' }], /valid service name/],
    [[{ name: 'a' }, { name: 'a' }], /twice/],
    [[{ name: 'a', role: 'router' }], /role must be one of/],
    [[{ name: 'a', address: 'ftp://x' }], /base URL/],
    [[{ name: 'a', address: 'http://x/?q=1' }], /base URL/],
  ])('refuses %j with INVALID_TOPOLOGY', (services, message) => {
    const make = (): Topology => new Topology({ services: services as never });
    expect(make).toThrow(message);
    expect(make).toThrow(expect.objectContaining({ code: 'INVALID_TOPOLOGY' }));
  });
});

describe('gatewayPath', () => {
  it('gives the path of a compose URL behind the gateway', () => {
    expect(gatewayPath('http://import:8080/artifacts/x/')).toBe('/containers/import/artifacts/x/');
    expect(gatewayPath('http://import:8080')).toBe('/containers/import/');
    expect(gatewayPath('http://import:8080?x=1')).toBe('/containers/import/?x=1');
    expect(gatewayPath('http://127.0.0.1:9002/artifacts/x/')).toBeUndefined();
    expect(gatewayPath('http://import:80/x')).toBeUndefined();
  });
});
