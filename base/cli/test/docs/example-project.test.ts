import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { RunDocument, RunVariants } from '@kiln/api';
import { docExample, ROOT, shellCommands } from './doc-examples.js';
import { consoleCommands, ExampleProject, finalStatus } from './example-project.js';
import { servingExamples } from './serving-examples.js';
import { writeSneakerJpeg } from './sample-image.js';
import { freePort, ShellSession } from './shell-session.js';
import { runTypeScript } from './typescript-module.js';

// The examples that need the example project running: the CLI's, the SDK's, the pipelines',
// the tools', the visualization's and the serving container's pages, on one project started as
// `npm start` does (./example-project.ts). Where a page names a port (8080, 8101…) the test puts
// the real one.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const TOOLS = ['import', 'process', 'export', 'split', 'train', 'benchmark'];

let example: ExampleProject;
let project: ExampleProject['project'];
let work: string;
let shell: ShellSession;
let repository: ShellSession;

beforeAll(async () => {
  example = await ExampleProject.start();
  ({ project, work, shell, repository } = example);
}, 180_000);

afterAll(async () => {
  await example?.stop();
}, 60_000);

/** `localhost:8080` and the tools' ports of a page, as this project has them. */
function onThisProject(text: string): string {
  return example.onThisProject(text);
}

/** An OpenAPI response object: its schema by media type. */
interface OpenApiResponse {
  content: Record<string, { schema: object }>;
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
    expect(example.output()).toMatch(/gateway is healthy/);
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
    const inFolder = new ShellSession(await example.dataFolder(), { KILN_URL: project.url });
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

  it('pipelines-sweep-curl, cli-variants, run-json-variants: a sweep, its comparison and its run.json', async () => {
    const [created, live] = await shell.run(
      shellCommands(onThisProject((await docExample('pipelines-sweep-curl')).code)),
    );
    expect(JSON.parse(created!.stdout)).toMatchObject({ name: 'widths' });
    // Live: null until the data steps are done and the sweep starts, then the comparison.
    const early = JSON.parse(live!.stdout) as RunVariants | null;
    expect(early === null || early.metric === 'accuracy').toBe(true);
    const pipeline = project.services.get('fashion-mnist')!.url;
    expect(await finalStatus(pipeline, 'widths')).toBe('completed');
    const { variants } = (await (await fetch(`${pipeline}/runs/widths/data`)).json()) as {
      variants: RunVariants;
    };
    // This project's train container has no native backend (tfjs-node cannot install here).
    expect(variants.failed).toEqual(['conv']);

    const [command] = await consoleCommands('cli-variants');
    const [table] = await shell.run([command!]);
    const shown = (await docExample('cli-variants')).code.trim().split('\n').slice(1);
    const printed = table!.stdout.trim().split('\n');
    const columns = (line: string): string[] => line.split(/\s{2,}/);
    expect(columns(printed[0]!)).toEqual(columns(shown[0]!));
    // Each variant's row as shown, but for the accuracy it reached (and which one is best).
    const rows = (lines: string[]): string[][] =>
      lines.slice(1, 4).map((line) => {
        const [name, , , parameters] = columns(line);
        return [name!, parameters!];
      });
    expect(rows(printed)).toEqual(rows(shown));
    expect(printed.slice(1, 4).map((line) => columns(line)[1])).toEqual(
      variants.results.map((r) => (r.name === variants.best ? 'best' : r.status)),
    );
    expect(printed[4]).toBe(`best by accuracy (highest): ${variants.best}`);
    expect(printed[5]!.startsWith(shown[5]!.replace(/ …$/, ''))).toBe(true);

    // The section as run.json shows it: the same fields, valid as GET /runs/{name}/variants says.
    const sample = JSON.parse(`{${(await docExample('run-json-variants')).code}}`) as {
      variants: RunVariants;
    };
    const openapi = (await (await fetch(`${pipeline}/openapi.json`)).json()) as {
      paths: Record<string, { get: { responses: Record<string, OpenApiResponse> } }>;
    };
    const schema =
      openapi.paths['/runs/{name}/variants']!.get.responses['200']!.content['application/json']!
        .schema;
    const validate = new Ajv2020({ strict: false, logger: false }).compile(schema);
    for (const document of [sample.variants, variants])
      expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.keys(sample.variants)).toEqual(Object.keys(variants));
    const wide = variants.results.find((r) => r.name === 'wide')!;
    const shownWide = sample.variants.results[0]!;
    expect(Object.keys(shownWide)).toEqual(Object.keys(wide));
    expect([shownWide.parameters, shownWide.steps, shownWide.artifacts.train]).toEqual([
      wide.parameters,
      wide.steps,
      wide.artifacts.train,
    ]);
    expect(shownWide.links.train).toBe(wide.links.train);
  }, 180_000);

  it('pipelines-sweep-cli: the CLI sweeps and compares', async () => {
    const [run, compare] = await shell.run(
      shellCommands((await docExample('pipelines-sweep-cli')).code),
    );
    expect(run!.stdout).toBe('sizes\n');
    expect(run!.stderr).toMatch(
      /^fashion-mnist\/sizes: best variant (narrow|wide) \(accuracy [\d.]+\)$/m,
    );
    const names = compare!.stdout
      .trim()
      .split('\n')
      .slice(1, 3)
      .map((line) => line.split(/\s+/)[0]);
    expect(names).toEqual(['narrow', 'wide']);
  }, 180_000);

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

servingExamples(() => example);

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
      'client-serving',
    ];
    const blocks = await Promise.all(ids.map((id) => docExample(id)));
    const folder = await example.dataFolder();
    await writeSneakerJpeg(folder);
    const code = onThisProject(blocks.map((block) => block.code).join('\n'));
    const stdout = await runTypeScript(folder, code);
    expect(stdout.split('\n')[0]).toBe('completed');
    expect(stdout).toMatch(/^train completed/m);
    expect(stdout).toMatch(/^undefined$/m);
    expect(stdout).toMatch(/^\d+ metrics$/m);
    expect(stdout).toMatch(/^fast completed 0\.\d+$/m);
    expect(stdout).toMatch(/^best: (slow|fast)$/m);
    const document = JSON.parse(await readFile(join(folder, 'run.json'), 'utf8')) as RunDocument;
    expect(document).toHaveProperty('figures');
    // The baseline's model, served as a new version and promoted, answered the prediction.
    const serving = example.url('serving');
    const { aliases } = (await (await fetch(`${serving}/models/fashion-mnist`)).json()) as {
      aliases: { champion: number };
    };
    const champion = (await (
      await fetch(`${serving}/models/fashion-mnist/versions/${aliases.champion}`)
    ).json()) as { artifact: string };
    expect(champion.artifact).toBe(document.artifacts['train']);
    expect(stdout).toMatch(new RegExp(`^\\S.* ${aliases.champion}$`, 'm'));
  }, 180_000);
});
