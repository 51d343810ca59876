import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ProjectTopology } from '../topology/service-spec.js';
import { PortAllocator } from './ports.js';

/** Where one service of the project runs: its port, address and data folder. */
export interface Placement {
  url: string;
  port: number;
  host: string;
  dataDir: string;
  /** Every service's local URL, for rewriting this one's configuration. */
  urls: ReadonlyMap<string, string>;
}

/** The options of `startProject` that decide where services go. */
export interface PlacementOptions {
  host?: string;
  port?: number;
  basePort?: number;
  dataDir?: string;
}

/**
 * Gives every service a loopback port (the published one first: its compose port, the next
 * free one, or `options.port`) and a data folder under `dataDir`, which is made here.
 */
export async function placeServices(
  topology: ProjectTopology,
  options: PlacementOptions,
  root: string,
): Promise<Map<string, Placement>> {
  const ports = new PortAllocator('127.0.0.1');
  const dataRoot = resolve(root, options.dataDir ?? '.kiln');
  const assigned = new Map<string, number>();
  const published = topology.services.filter((service) => service.published);
  for (const service of published) {
    const port =
      options.port !== undefined && service === published[0]
        ? options.port === 0
          ? await ports.next(0)
          : await ports.exactly(options.port)
        : await ports.next(service.publishedPort ?? 8080);
    assigned.set(service.name, port);
  }
  const firstPublished = assigned.get(published[0]?.name ?? '');
  let base = options.basePort ?? (firstPublished !== undefined ? firstPublished + 1 : 0);
  for (const service of topology.services) {
    if (assigned.has(service.name)) continue;
    const port = await ports.next(base);
    assigned.set(service.name, port);
    if (base !== 0) base = port + 1;
  }
  const urls = new Map([...assigned].map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
  const placed = new Map<string, Placement>();
  for (const service of topology.services) {
    const dataDir = join(dataRoot, service.name);
    await mkdir(dataDir, { recursive: true });
    placed.set(service.name, {
      url: urls.get(service.name)!,
      port: assigned.get(service.name)!,
      host: service.published ? (options.host ?? '127.0.0.1') : '127.0.0.1',
      dataDir,
      urls,
    });
  }
  return placed;
}
