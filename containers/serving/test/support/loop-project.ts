import { startToolServer, type RunningToolServer } from '@kiln/core';
import { writeTinyFashionMnist } from '@kiln/fashion-mnist/testing';
import { Topology } from '@kiln/topology';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServing, type ServingProcess } from './serving-process.js';

const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'] as const;
const repo = (path: string): string =>
  fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

/** A loopback port nothing listens on (closed again before it is returned). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * The example's loop on loopback, wired as docker-compose.yml wires it: the six tool
 * containers (in this process), the real fashion-mnist pipeline (served by the CLI in its own
 * process) and the serving container (`dist/main.js`, its own process, so it can be killed),
 * which watches the pipeline. Every process learns where the others are from the same
 * topology (`KILN_SERVICE_ADDRESSES`), the serving container included: a retraining run's
 * split fetches the serving container's snapshot by its compose URL.
 */
export class LoopProject {
  readonly root: string;
  /** The tool containers, by name. */
  readonly tools: ReadonlyMap<string, RunningToolServer>;
  readonly pipelineUrl: string;
  /** `KILN_SERVICE_ADDRESSES` of every process. */
  readonly addresses: string;
  /** The same, as a topology for this process. */
  readonly topology: Topology;
  readonly #servingPort: number;
  readonly #pipeline: ChildProcess;
  #serving: ServingProcess | undefined;

  private constructor(
    root: string,
    tools: Map<string, RunningToolServer>,
    pipeline: ChildProcess,
    pipelineUrl: string,
    addresses: string,
    servingPort: number,
  ) {
    this.root = root;
    this.tools = tools;
    this.#pipeline = pipeline;
    this.pipelineUrl = pipelineUrl;
    this.addresses = addresses;
    this.topology = new Topology({
      services: addresses.split(',').map((entry) => {
        const [name, address] = entry.split('=') as [string, string];
        return { name, address };
      }),
    });
    this.#servingPort = servingPort;
  }

  static async start(): Promise<LoopProject> {
    const root = await mkdtemp(join(tmpdir(), 'kiln-loop-'));
    await writeTinyFashionMnist(join(root, 'idx'), { train: 200, test: 50 });
    const ports = new Map<string, number>();
    for (const service of [...TOOLS, 'fashion-mnist', 'serving'])
      ports.set(service, await freePort());
    const addresses = [...ports].map(([name, port]) => `${name}=http://127.0.0.1:${port}`);
    const topology = new Topology({
      services: [...ports].map(([name, port]) => ({ name, address: `http://127.0.0.1:${port}` })),
    });
    const tools = new Map<string, RunningToolServer>();
    for (const tool of TOOLS) {
      tools.set(
        tool,
        await startToolServer({
          modulePath: repo(`containers/${tool}/dist/tool.js`),
          dataDir: join(root, tool),
          port: ports.get(tool)!,
          topology,
        }),
      );
    }
    const pipeline = spawn(
      process.execPath,
      [
        repo('base/cli/dist/main.js'),
        'serve',
        repo('containers/pipeline/dist/pipelines/fashion-mnist.js'),
        '--port',
        String(ports.get('fashion-mnist')),
        '--data',
        join(root, 'pipeline'),
      ],
      {
        env: { ...process.env, KILN_SERVICE_ADDRESSES: addresses.join(',') },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const pipelineUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      pipeline.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      pipeline.once('exit', (code) => reject(new Error(`the pipeline exited with ${code}`)));
    });
    return new LoopProject(
      root,
      tools,
      pipeline,
      pipelineUrl,
      addresses.join(','),
      ports.get('serving')!,
    );
  }

  /** The serving container running now. */
  get serving(): ServingProcess {
    if (!this.#serving) throw new Error('the serving container is not running');
    return this.#serving;
  }

  /** Starts the serving container (again: same data folder, same port, same topology). */
  async startServing(env: Record<string, string> = {}): Promise<ServingProcess> {
    this.#serving = await spawnServing(join(this.root, 'serving'), {
      PORT: String(this.#servingPort),
      KILN_SERVING_WATCH: 'fashion-mnist',
      KILN_SERVICE_ADDRESSES: this.addresses,
      ...env,
    });
    return this.#serving;
  }

  /** Pipeline parameters of a tiny run: the tiny dataset, two epochs, few latency runs. */
  tinyRun(): Record<string, unknown> {
    return {
      source: 'path',
      path: join(this.root, 'idx'),
      epochs: 2,
      latencyRuns: 3,
      backend: 'wasm',
      hiddenUnits: [16],
    };
  }

  async close(): Promise<void> {
    await this.#serving?.stop();
    if (this.#pipeline.exitCode === null) {
      const exited = once(this.#pipeline, 'exit');
      this.#pipeline.kill('SIGTERM');
      await exited;
    }
    for (const tool of this.tools.values()) await tool.close();
    await rm(this.root, { recursive: true, force: true });
  }
}
