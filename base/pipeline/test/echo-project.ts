import { startToolServer, type RunningToolServer } from '@kiln/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fixture module of these tests. */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The six service names the test pipelines call. */
const STEPS = ['s1', 's2', 's3', 's4', 's5', 's6'] as const;

/**
 * Two echo containers behind six service names (s1 … s6, as a compose file would name them):
 * odd steps on one, even steps on the other, so every step fetches its input from the other
 * container, and steps on the two can run at once. Every process reaches the six names through
 * the topology it is given, which is how `kiln up` runs a project: step results and references
 * carry `http://s3:8080/…`.
 */
export interface EchoProject {
  /** A temporary folder for data, gates and ledgers, removed by `close()`. */
  root: string;
  /** The two tool servers: `a` (s1, s3, s5) and `b` (s2, s4, s6). */
  tools: RunningToolServer[];
  /** What a pipeline process needs to reach them (`KILN_SERVICE_ADDRESSES`, a quick poll). */
  env: Record<string, string>;
  /** The tool server behind step `sN`. */
  toolOf(step: number): RunningToolServer;
  close(): Promise<void>;
}

export async function startEchoProject(prefix: string): Promise<EchoProject> {
  const root = await mkdtemp(join(tmpdir(), `kiln-${prefix}-`));
  // The tools listen before their addresses are known: they learn them once both are up.
  const ports = [await freePort(), await freePort()];
  const services = STEPS.map((name, i) => ({ name, address: `http://127.0.0.1:${ports[i % 2]}` }));
  const tools = await Promise.all(
    ['a', 'b'].map((tool, i) =>
      startToolServer({
        modulePath: fixture('echo-tool.mjs'),
        dataDir: join(root, tool),
        port: ports[i]!,
        cancelGraceMs: 2_000,
        topology: { services },
      }),
    ),
  );
  return {
    root,
    tools,
    env: {
      KILN_SERVICE_ADDRESSES: services.map((s) => `${s.name}=${s.address}`).join(','),
      KILN_TEST_POLL_WAIT: '0.2',
    },
    toolOf: (step) => tools[(step - 1) % 2]!,
    close: async () => {
      await Promise.all(tools.map((tool) => tool.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
