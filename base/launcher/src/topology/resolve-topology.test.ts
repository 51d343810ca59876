import { describe, expect, it } from 'vitest';
import { healthPathOf, resolveTopology, splitCommand } from './resolve-topology.js';
import { LauncherError } from '../launcher-error.js';

describe('resolveTopology', () => {
  it('maps services to local processes in dependency order', () => {
    const topology = resolveTopology(
      {
        services: {
          web: {
            command: ['node', 'web.js'],
            environment: { A: 1, B: null, C: true },
            depends_on: { api: { condition: 'service_healthy' } },
            ports: ['127.0.0.1:9000:8080'],
            healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8080/healthz'] },
          },
          api: {
            entrypoint: 'node',
            command: 'api.js --name "two words"',
            restart: 'no',
            environment: ['X=1=2', 'PASSED'],
          },
          gpu: { image: 'x', 'x-kiln': { skip: true } },
        },
      },
      '/somewhere/project/docker-compose.yml',
    );
    expect(topology.name).toBe('project');
    expect(topology.services.map((service) => service.name)).toEqual(['api', 'web']);
    const [api, web] = topology.services;
    expect(api).toMatchObject({
      command: ['node', 'api.js', '--name', 'two words'],
      restart: false,
      environment: { X: '1=2' },
      healthPath: null,
      published: false,
    });
    expect(web).toMatchObject({
      environment: { A: '1', C: 'true' },
      dependsOn: [{ name: 'api', condition: 'service_healthy' }],
      healthPath: '/healthz',
      published: true,
      publishedPort: 9000,
      restart: true,
    });
  });

  it('refuses a service without a command and a dependency on an unknown service', () => {
    expect(() => resolveTopology({ services: { a: { image: 'x' } } }, 'c.yml')).toThrow(
      LauncherError,
    );
    expect(() =>
      resolveTopology({ services: { a: { command: ['x'], depends_on: ['ghost'] } } }, 'c.yml'),
    ).toThrow(/ghost/);
  });
});

describe('helpers', () => {
  it('splits shell-form commands', () => {
    expect(splitCommand(`node a.js 'single quoted' "double \\"q\\""`)).toEqual([
      'node',
      'a.js',
      'single quoted',
      'double "q"',
    ]);
  });

  it('finds the health path in a healthcheck', () => {
    expect(healthPathOf({ test: 'curl -f http://127.0.0.1:8080/health || exit 1' })).toBe(
      '/health',
    );
    expect(healthPathOf({ test: ['CMD', 'true'] })).toBeNull();
    expect(
      healthPathOf({ test: ['CMD', 'wget', 'http://[::1]:8080/h?x=1'], disable: true }),
    ).toBeNull();
    expect(healthPathOf(undefined)).toBeNull();
  });
});
