import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProject, type ProjectHandle } from '@kiln/launcher';
import { docExample, ROOT, shellCommands } from './doc-examples.js';
import { freePort, ShellSession } from './shell-session.js';

// The examples that need the example project running: the CLI's, the SDK's, the pipelines',
// the tools' and the visualization's pages. The project is started as `npm start` does (the
// launcher on docker-compose.yml; `npm test` has built it), on free ports, with an empty
// Fashion-MNIST folder so that `source: auto` takes the bundled subset as it does on a machine
// without Debian's dataset. Where a page names a port (8080, 8101…) the test puts the real one.
const run = promisify(execFile);
const DATA = join(ROOT, 'components/fashion-mnist/data');
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'];
const DOC_PORTS: Record<string, number> = {
  import: 8101,
  process: 8102,
  export: 8103,
  split: 8104,
  train: 8105,
  benchmark: 8106,
};

let project: ProjectHandle;
let work: string;
let output = '';
let shell: ShellSession;
let repository: ShellSession;

beforeAll(async () => {
  // Inside the repository (test-output/ is ignored), where `npx kiln` finds the CLI.
  await mkdir(join(ROOT, 'test-output'), { recursive: true });
  work = await mkdtemp(join(ROOT, 'test-output', 'doc-examples-'));
  await mkdir(join(work, 'no-dataset'));
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  project = await startProject({
    root: ROOT,
    dataDir: join(work, 'data'),
    environment: { ...process.env, FASHION_MNIST_DIR: join(work, 'no-dataset') },
    port: 0,
    basePort: 0,
    output: stream,
  });
  shell = new ShellSession(work, { KILN_URL: project.url });
  repository = new ShellSession(ROOT);
}, 180_000);

afterAll(async () => {
  await shell?.stop();
  await repository?.stop();
  await project?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

/** `localhost:8080` and the tools' ports of a page, as this project has them. */
function onThisProject(text: string): string {
  let result = text.replaceAll(':8080', `:${new URL(project.url).port}`);
  for (const [tool, port] of Object.entries(DOC_PORTS))
    result = result.replaceAll(`:${port}`, `:${project.services.get(tool)!.port}`);
  return result;
}

/** The `$ ` lines of a console block, each command with its continuation lines. */
async function consoleCommands(id: string): Promise<string[]> {
  const code = (await docExample(id)).code.replace(/\\\n\s*/g, '');
  return code
    .split('\n')
    .filter((line) => line.startsWith('$ '))
    .map((line) => line.slice(2));
}

/** A folder of its own holding the four Fashion-MNIST files, for pages that read them. */
async function dataFolder(): Promise<string> {
  const folder = await mkdtemp(join(work, 'files-'));
  for (const file of await readdir(DATA))
    if (file.endsWith('.gz')) await copyFile(join(DATA, file), join(folder, file));
  return folder;
}

describe('README.md and docs/launcher.md: npm start', () => {
  it('readme-start, launcher-start: the project runs every service of docker-compose.yml', async () => {
    expect(shellCommands((await docExample('readme-start')).code)).toEqual([
      'npm install && npm start    # the whole example project on this machine: no Docker, no internet',
      'npm test                    # builds everything, runs the static checks and every test suite',
    ]);
    expect(shellCommands((await docExample('launcher-start')).code)).toEqual([
      'npm install',
      'npm start',
    ]);
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts['start']).toBe('npm run build && node base/cli/dist/main.js up');
    const compose = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const name of project.services.keys()) expect(compose).toContain(`\n  ${name}:\n`);
    expect(output).toMatch(/gateway is healthy/);
  });
});

describe('docs/cli.md', () => {
  let trainArtifact = '';

  it('cli-run: runs the baseline step by step', async () => {
    const [command] = await consoleCommands('cli-run');
    const [result] = await shell.run([command!]);
    const lines = result!.stdout.trim().split('\n');
    const expected = (await docExample('cli-run')).code.split('\n').slice(1, -1);
    expect(lines[0]).toMatch(/^fashion-mnist-linear\/\S+: started \(queued\)$/);
    expect(lines.at(-2)).toMatch(/^fashion-mnist-linear\/\S+: completed$/);
    expect(expected.at(-2)).toMatch(/^fashion-mnist-linear\/\S+: completed$/);
    expect(lines.some((line) => /step train \(train\): completed$/.test(line))).toBe(true);
    const run = lines.at(-1)!;
    const steps = (await (
      await fetch(`${project.services.get('fashion-mnist-linear')!.url}/runs/${run}/steps`)
    ).json()) as { step: string; artifact: string }[];
    trainArtifact = steps.find((step) => step.step === 'train')!.artifact;
  });

  it('cli-ls: lists the completed models', async () => {
    const [command] = await consoleCommands('cli-ls');
    const [result] = await shell.run([command!]);
    const [header, ...rows] = result!.stdout.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'STATE', 'CREATED']);
    expect(rows.some((row) => row.startsWith(`${trainArtifact} `))).toBe(true);
  });

  it('cli-download: downloads the model and checks it', async () => {
    const [command] = await consoleCommands('cli-download');
    const [result] = await shell.run([command!.replace('demo-1-train', trainArtifact)]);
    expect(result!.stdout).toMatch(/\/model \(3 files, [\d.]+ kB, digest [0-9a-f]{12} verified\)/);
    expect((await readdir(join(work, 'model'))).sort()).toEqual(
      ['model.json', 'training.json', 'weights.bin'].sort(),
    );
  });

  it('cli-create: creates imports, from the bundled subset and from uploaded files', async () => {
    const [bundled, upload] = await consoleCommands('cli-create');
    const inFolder = new ShellSession(await dataFolder(), { KILN_URL: project.url });
    const [created, uploaded] = await inFolder.run([bundled!, upload!]);
    expect(created!.stdout.trim()).toMatch(/^import-\S+$/);
    expect(uploaded!.stdout.trim()).toMatch(/^import-\S+$/);
  });

  it('cli-script: the script runs through', async () => {
    const script = (await docExample('cli-script')).code.replace(
      /^export KILN_URL=.*$/m,
      `export KILN_URL=${project.url}`,
    );
    const folder = await mkdtemp(join(work, 'script-'));
    const result = await new ShellSession(folder).script(script);
    expect(JSON.parse(await readFile(join(folder, 'dataset.json'), 'utf8'))).toMatchObject({
      kind: 'folder',
    });
    expect(result.stdout).toMatch(/benchmark/);
  });
});

describe('docs/topology.md', () => {
  it('topology-references: a reference in compose form, typed through the gateway, works', async () => {
    const [imported, processed] = await shell.run(
      shellCommands((await docExample('topology-references')).code),
    );
    expect(imported!.stdout.trim().split('\n').at(-1)).toBe('fmnist-raw');
    const name = processed!.stdout.trim().split('\n').at(-1)!;
    const record = (await (
      await fetch(`${project.services.get('process')!.url}/artifacts/${name}/`)
    ).json()) as { status: string; inputs: { parameter: string; url: string }[] };
    expect(record.status).toBe('completed');
    // Kept as typed: the compose form, which every container resolves through its topology.
    expect(record.inputs).toEqual([
      expect.objectContaining({
        parameter: 'dataset',
        url: 'http://import:8080/artifacts/fmnist-raw/',
      }),
    ]);
  });
});

describe('docs/pipelines.md, docs/example-containers.md, docs/visualization.md', () => {
  it('pipelines-curl: starts a run and its baseline through the gateway', async () => {
    const commands = shellCommands(onThisProject((await docExample('pipelines-curl')).code));
    const outputs = await shell.run(commands);
    expect(JSON.parse(outputs[0]!.stdout)).toMatchObject({ name: 'first' });
    expect(JSON.parse(outputs.at(-1)!.stdout)).toMatchObject({ name: 'baseline' });
    const pipeline = project.services.get('fashion-mnist-linear')!.url;
    const baseline = await (await fetch(`${pipeline}/runs/baseline/status?wait=60`)).json();
    expect(baseline).toMatchObject({ status: 'completed' });
  });

  it('pipelines-serve: a pipeline served by hand reaches every container', async () => {
    const port = await freePort();
    const [command] = shellCommands(onThisProject((await docExample('pipelines-serve')).code));
    await repository.run([`${command!.replace('8100', String(port))} &`]);
    const containers = (await (await fetch(`http://127.0.0.1:${port}/containers`)).json()) as {
      name: string;
      healthy: boolean;
    }[];
    expect(containers.map((c) => [c.name, c.healthy])).toEqual(TOOLS.map((t) => [t, true]));
  });

  it('tools-chain: the six tools, chained by hand, make a benchmark', async () => {
    const result = await shell.script(onThisProject((await docExample('tools-chain')).code));
    const bench = [...result.stdout.matchAll(/\{"name":"bench","status":"([\w-]+)"/g)];
    expect(bench.at(-1)?.[1]).toBe('completed');
  });

  it('tensorboard-zip: the series download as TensorBoard event files', async () => {
    const folder = await mkdtemp(join(work, 'tensorboard-'));
    await new ShellSession(folder).run(
      shellCommands(onThisProject((await docExample('tensorboard-zip')).code)),
    );
    const events = await readdir(join(folder, 'runs'), { recursive: true });
    expect(events.some((file) => /events\.out\.tfevents\./.test(file))).toBe(true);
  });
});

describe('docs/client.md', () => {
  it('client-*: the examples, one module, type-check and run', async () => {
    const ids = [
      'client-start',
      'client-files',
      'client-wait',
      'client-follow',
      'client-pipeline',
      'client-errors',
      'client-http',
    ];
    const blocks = await Promise.all(ids.map((id) => docExample(id)));
    const folder = await dataFolder();
    await symlink(join(ROOT, 'node_modules'), join(folder, 'node_modules'));
    await writeFile(join(folder, 'package.json'), '{ "type": "module" }\n');
    await writeFile(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.base.json'),
        compilerOptions: {
          composite: false,
          declaration: false,
          declarationMap: false,
          types: ['node'],
          outDir: 'out',
        },
        files: ['example.ts'],
      }),
    );
    await writeFile(
      join(folder, 'example.ts'),
      onThisProject(blocks.map((block) => block.code).join('\n')),
    );
    await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', folder]);
    const { stdout } = await run(process.execPath, [join(folder, 'out/example.js')], {
      cwd: folder,
      timeout: 170_000,
    });
    expect(stdout.split('\n')[0]).toBe('completed');
    expect(stdout).toMatch(/^train completed/m);
    expect(stdout).toMatch(/^undefined$/m);
    expect(stdout).toMatch(/^\d+ metrics$/m);
    expect(JSON.parse(await readFile(join(folder, 'run.json'), 'utf8'))).toHaveProperty('figures');
  }, 180_000);
});
