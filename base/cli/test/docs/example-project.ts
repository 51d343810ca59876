import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isFinalStatus, type ArtifactStatus } from '@kiln/api';
import { startProject, type ProjectHandle } from '@kiln/launcher';
import { docExample, ROOT } from './doc-examples.js';
import { ShellSession } from './shell-session.js';

const DATA = join(ROOT, 'components/fashion-mnist/data');

/** The ports the pages give the tool containers they serve by hand. */
const DOC_PORTS: Record<string, number> = {
  import: 8101,
  process: 8102,
  export: 8103,
  split: 8104,
  train: 8105,
  benchmark: 8106,
};

/**
 * The example project, started as `npm start` does (the launcher on docker-compose.yml;
 * `npm test` has built it), on free ports, with an empty Fashion-MNIST folder so that
 * `source: auto` takes the bundled subset as it does on a machine without Debian's dataset.
 */
export class ExampleProject {
  /** A folder of test-output/, inside the repository, where `npx kiln` finds the CLI. */
  readonly work: string;
  readonly project: ProjectHandle;
  /** A reader's shell in `work`, with `KILN_URL` set to the project's gateway. */
  readonly shell: ShellSession;
  /** A reader's shell at the repository's root. */
  readonly repository: ShellSession;
  readonly #output: { text: string };

  private constructor(work: string, project: ProjectHandle, output: { text: string }) {
    this.work = work;
    this.project = project;
    this.#output = output;
    this.shell = new ShellSession(work, { KILN_URL: project.url });
    this.repository = new ShellSession(ROOT);
  }

  static async start(): Promise<ExampleProject> {
    await mkdir(join(ROOT, 'test-output'), { recursive: true });
    const work = await mkdtemp(join(ROOT, 'test-output', 'doc-examples-'));
    await mkdir(join(work, 'no-dataset'));
    const output = { text: '' };
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    const project = await startProject({
      root: ROOT,
      dataDir: join(work, 'data'),
      environment: { ...process.env, FASHION_MNIST_DIR: join(work, 'no-dataset') },
      port: 0,
      basePort: 0,
      output: stream,
    });
    return new ExampleProject(work, project, output);
  }

  /** What the launcher printed so far. */
  output(): string {
    return this.#output.text;
  }

  /** A service's own URL (not through the gateway). */
  url(service: string): string {
    return this.project.services.get(service)!.url;
  }

  /** `localhost:8080` and the tools' ports of a page, as this project has them. */
  onThisProject(text: string): string {
    let result = text.replaceAll(':8080', `:${new URL(this.project.url).port}`);
    for (const [tool, port] of Object.entries(DOC_PORTS))
      result = result.replaceAll(`:${port}`, `:${this.project.services.get(tool)!.port}`);
    return result;
  }

  /** A folder of its own holding the four Fashion-MNIST files, for pages that read them. */
  async dataFolder(): Promise<string> {
    const folder = await mkdtemp(join(this.work, 'files-'));
    for (const file of await readdir(DATA))
      if (file.endsWith('.gz')) await copyFile(join(DATA, file), join(folder, file));
    return folder;
  }

  async stop(): Promise<void> {
    await this.shell.stop();
    await this.repository.stop();
    await this.project.stop();
    await rm(this.work, { recursive: true, force: true });
  }
}

/** The `$ ` lines of a console block, each command with its continuation lines. */
export async function consoleCommands(id: string): Promise<string[]> {
  const code = (await docExample(id)).code.replace(/\\\n\s*/g, '');
  return code
    .split('\n')
    .filter((line) => line.startsWith('$ '))
    .map((line) => line.slice(2));
}

/** A run's status once it has ended, through the status long-poll. */
export async function finalStatus(pipeline: string, run: string): Promise<ArtifactStatus> {
  for (;;) {
    const { status } = (await (await fetch(`${pipeline}/runs/${run}/status?wait=60`)).json()) as {
      status: ArtifactStatus;
    };
    if (isFinalStatus(status)) return status;
  }
}
