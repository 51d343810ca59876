import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology } from './load-topology.js';

let dir: string;
let compose: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-topology-'));
  compose = join(dir, 'docker-compose.yml');
  await writeFile(
    compose,
    [
      'name: demo',
      'x-service: &service',
      '  restart: unless-stopped',
      'services:',
      '  gateway:',
      '    <<: *service',
      '    image: ${KILN_IMAGE_PREFIX:-kiln/}gateway',
      '    x-kiln: { role: gateway }',
      '  dashboard: { x-kiln: { role: dashboard, command: [node, d.js] } }',
      '  import: { <<: *service }',
      '  train: { image: x }',
      '',
    ].join('\n'),
  );
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadTopology', () => {
  it("reads the compose file's services, their roles and the addresses given", async () => {
    const topology = await loadTopology({
      composeFile: compose,
      addresses: 'import=http://127.0.0.1:9002,gateway=http://127.0.0.1:9000',
    });
    expect(topology.project).toBe('demo');
    expect(topology.services.map((s) => [s.name, s.role, s.address])).toEqual([
      ['gateway', 'gateway', 'http://127.0.0.1:9000'],
      ['dashboard', 'dashboard', 'http://dashboard:8080'],
      ['import', 'container', 'http://127.0.0.1:9002'],
      ['train', 'container', 'http://train:8080'],
    ]);
  });

  it('takes the services from the addresses alone, or is empty with neither', async () => {
    const topology = await loadTopology({ addresses: { s1: 'http://127.0.0.1:1' } });
    expect(topology.services).toEqual([
      { name: 's1', role: 'container', url: 'http://s1:8080', address: 'http://127.0.0.1:1' },
    ]);
    expect((await loadTopology()).services).toEqual([]);
    expect((await loadTopology({ composeFile: '', addresses: '' })).services).toEqual([]);
  });

  it('refuses a missing file, a file without services and an address of no service', async () => {
    await expect(loadTopology({ composeFile: join(dir, 'none.yml') })).rejects.toThrow(
      /cannot read the compose file/,
    );
    const empty = join(dir, 'empty.yml');
    await writeFile(empty, 'name: x\n');
    await expect(loadTopology({ composeFile: empty })).rejects.toThrow(/no services/);
    await expect(
      loadTopology({ composeFile: compose, addresses: { ghost: 'http://127.0.0.1:1' } }),
    ).rejects.toMatchObject({ code: 'INVALID_TOPOLOGY', message: /ghost/ });
  });
});
