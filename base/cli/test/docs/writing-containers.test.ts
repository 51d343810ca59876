import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '@kiln/api';
import { startProject } from '@kiln/launcher';
import { readComposeTopology } from '@kiln/topology';
import { parse } from 'yaml';
import { createProjectCopy, type ProjectCopy } from '../support/project-copy.js';
import { linkStandaloneDependencies } from '../support/standalone-links.js';
import { docExample, shellCommands } from './doc-examples.js';
import { freePort, ShellSession } from './shell-session.js';

// docs/writing-containers.md, followed in a copy of this project. Where the test cannot do
// exactly what the page says, it says why beside the command it runs instead:
// - `kiln new` runs without its `npm install`: the copy shares this repository's node_modules,
//   and the install would rewrite them (the fresh-clone check of the README runs it);
// - `npm run build` in the copy would rebuild every linked workspace of the repository too, so
//   the test compiles the new container alone (`npx tsc -b containers/<name>`);
// - fixed ports (8300, 8310) become free ones, and `npm start` becomes `kiln up` of the services
//   the run needs.
let project: ProjectCopy;
let session: ShellSession;

beforeAll(async () => {
  project = await createProjectCopy();
  session = new ShellSession(project.root);
});
afterAll(async () => {
  await session?.stop();
  await project?.remove();
});

async function commandsOf(id: string): Promise<string[]> {
  return shellCommands((await docExample(id)).code);
}

/** A service's lines in the copy's docker-compose.yml, as the page shows them (unindented). */
async function serviceText(name: string): Promise<string> {
  const text = await readFile(join(project.root, 'docker-compose.yml'), 'utf8');
  const block = new RegExp(`^  ${name}:\\n(    .*\\n)*`, 'm').exec(text)?.[0] ?? '';
  return block.replace(/^ {2}/gm, '');
}

/** The page's build commands, as the test runs them in the copy (see the top of the file). */
function inCopy(command: string, folder: string): string {
  return command === 'npm run build' ? `npx tsc -b ${folder}` : command;
}

async function withFreePorts(commands: string[], ports: number[]): Promise<string[]> {
  let result = commands.join('\n');
  for (const port of ports) result = result.replaceAll(String(port), String(await freePort()));
  return result.split('\n');
}

/** Starts a run on a pipeline served at `url`, waits for it to complete, and reads run.json. */
async function runToEnd(url: string, body: object): Promise<RunDocument> {
  const created = await fetch(`${url}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { name } = (await created.json()) as { name: string };
  const status = (await (await fetch(`${url}/runs/${name}/status?wait=50`)).json()) as {
    status: string;
  };
  expect(status.status).toBe('completed');
  return (await (await fetch(`${url}/runs/${name}/data`)).json()) as RunDocument;
}

describe('docs/writing-containers.md', () => {
  it('new-tool: kiln new tool greet writes the files and the service the page shows', async () => {
    const [command] = await commandsOf('new-tool');
    expect(command).toBe('npx kiln new tool greet');
    await session.run([`${command} --no-install`]);
    expect(await serviceText('greet')).toBe((await docExample('new-tool-service')).code);
    const source = await readFile(join(project.root, 'containers/greet/src/tool.ts'), 'utf8');
    expect(source).toBe((await docExample('greet-tool')).code);
  });

  it("topology-outline: the outline has docker-compose.yml's roles, and its new entry is kiln new's", async () => {
    const outline = (await docExample('topology-outline')).code;
    // The outline leaves out the shared settings its `<<: *service` merges.
    const sketch = parse(`x-service: &service {}\n${outline}`, { merge: true }) as {
      services: Record<string, { 'x-kiln'?: { role: string } }>;
    };
    const real = await readComposeTopology(join(project.root, 'docker-compose.yml'));
    for (const [name, service] of Object.entries(sketch.services)) {
      const role = real.services.find((candidate) => candidate.name === name)?.role;
      if (name !== 'my-tool') expect(role, name).toBe(service['x-kiln']?.role);
    }
    // The entry `kiln new tool greet` wrote above, for a tool named my-tool.
    const entry = /^ {2}my-tool:.*\n((?: {4}.*\n)*)/m.exec(outline)!;
    expect(`my-tool:\n${entry[1]!.replace(/^ {2}/gm, '')}`).toBe(
      (await serviceText('greet')).replaceAll('greet', 'my-tool'),
    );
  });

  it('greet-build, greet-curl: it builds, passes its test, serves and answers', async () => {
    const build = await commandsOf('greet-build');
    const commands = build.map((command) => inCopy(command, 'containers/greet'));
    const [serve] = commands.splice(-1);
    const port = await freePort();
    await session.run([...commands, `${serve!.replace('8300', String(port))} &`]);
    const curl = (await commandsOf('greet-curl')).map((line) =>
      line.replaceAll('8300', String(port)),
    );
    const [created, status, data] = await session.run(curl);
    expect(JSON.parse(created!.stdout)).toMatchObject({ name: 'hi' });
    expect(JSON.parse(status!.stdout)).toMatchObject({ status: 'completed' });
    expect(data!.stdout).toBe('hello Kiln\nhello Kiln\nhello Kiln\n');
    await session.stop();
  });

  it('python-tool: --lang python writes the builder the page shows, and it passes its test', async () => {
    await session.run(['npx kiln new tool greet-py --lang python --no-install']);
    const builder = await readFile(join(project.root, 'containers/greet-py/tool.py'), 'utf8');
    expect(builder.replace('greet-py tool', 'greet tool')).toBe(
      (await docExample('python-tool')).code,
    );
    await session.run(['npx vitest run containers/greet-py']);
  });

  it('new-pipeline, greetings-pipeline, greetings-build, greetings-run: the pipeline runs', async () => {
    const [command] = await commandsOf('new-pipeline');
    expect(command).toBe('npx kiln new pipeline greetings --step greet');
    await session.run([`${command} --no-install`]);
    expect(await serviceText('greetings')).toBe((await docExample('new-pipeline-service')).code);
    await writeFile(
      join(project.root, 'containers/greetings/src/pipeline.ts'),
      (await docExample('greetings-pipeline')).code,
    );
    const build = await commandsOf('greetings-build');
    expect(build.at(-1)).toBe('npm start');
    await session.run(build.slice(0, -1).map((line) => inCopy(line, 'containers/greetings')));
    const running = await startProject({
      root: project.root,
      dataDir: join(project.root, '.kiln'),
      environment: process.env,
      // What `npm start` runs that the run needs: the pipeline and the container it calls.
      services: ['greetings', 'greet'],
      port: 0,
      basePort: 0,
    });
    try {
      // Through the gateway the pipeline is `greetings`; here the CLI is given its URL.
      const url = running.services.get('greetings')!.url;
      const [run] = await commandsOf('greetings-run');
      const [output] = await session.run([run!.replace(' greetings ', ` ${url} `)]);
      const name = output!.stdout.trim().split('\n').at(-1)!;
      const figures = (await (await fetch(`${url}/runs/${name}/data`)).json()) as {
        figures: unknown;
      };
      expect(figures.figures).toEqual({ people: 2, lines: 4 });
    } finally {
      await running.stop();
    }
  });

  it('greetings-serve: both containers served by hand answer the run', async () => {
    const commands = await withFreePorts(await commandsOf('greetings-serve'), [8300, 8310]);
    const [created, statusAndSteps, data] = await session.run(commands);
    expect(JSON.parse(created!.stdout)).toMatchObject({ name: 'r1' });
    expect(statusAndSteps!.stdout).toContain('"status":"completed"');
    expect(statusAndSteps!.stdout).toContain('"step":"greet-2"');
    expect(JSON.parse(data!.stdout)).toMatchObject({ figures: { people: 2, lines: 4 } });
  });

  it('steps-at-once, sweep-pipeline: greetings at once, and a sweep of them, run', async () => {
    // Each snippet in its module: the greetings pipeline with the snippet's run(p), and the
    // sweep with the greetings pipeline's name, description, task and containers.
    const greetings = (await docExample('greetings-pipeline')).code;
    const atOnce = greetings.replace(
      /^ {2}async run\(p\) \{\n[\s\S]*?^ {2}\},\n/m,
      (await docExample('steps-at-once')).code,
    );
    expect(atOnce).toContain('Promise.all(');
    const shared = /^export default definePipeline<\w+>\(\{\n([\s\S]*?)^ {2}expectedSteps/m.exec(
      greetings,
    )![1]!;
    const sweep = (await docExample('sweep-pipeline')).code.replace(/^ {2}\/\/ …name.*\n/m, shared);
    expect(sweep).toContain("name: 'greetings'");
    const source = join(project.root, 'containers/greetings/src');
    await writeFile(join(source, 'at-once.ts'), atOnce);
    await writeFile(join(source, 'sweep.ts'), sweep);
    const [greet, first, second] = [await freePort(), await freePort(), await freePort()];
    const addresses = `KILN_SERVICE_ADDRESSES=greet=http://127.0.0.1:${greet}`;
    const servers = new ShellSession(project.root);
    try {
      await servers.run([
        'npx tsc -b containers/greetings',
        `npx kiln serve containers/greet/dist/tool.js --port ${greet} --data .kiln/greet-sweep &`,
        `${addresses} npx kiln serve containers/greetings/dist/at-once.js --port ${first} --data .kiln/at-once &`,
        `${addresses} npx kiln serve containers/greetings/dist/sweep.js --port ${second} --data .kiln/sweep &`,
      ]);
      const together = await runToEnd(`http://127.0.0.1:${first}`, { name: 'together' });
      expect(together.figures).toEqual({ people: 2, lines: 4 });
      expect(together.steps.map((step) => [step.step, step.status])).toEqual([
        ['greet', 'completed'],
        ['greet-2', 'completed'],
      ]);
      const variants = [
        { name: 'once', times: 1 },
        { name: 'thrice', times: 3 },
      ];
      const swept = await runToEnd(`http://127.0.0.1:${second}`, {
        name: 'swept',
        parameters: { variants },
      });
      expect(swept.figures).toEqual({ lines: 3, variant: 'thrice' });
      expect(swept.steps.map((step) => [step.step, step.variant])).toEqual([
        ['greet-once', 'once'],
        ['greet-thrice', 'thrice'],
      ]);
      expect(swept.variants).toMatchObject({ metric: 'lines', best: 'thrice', failed: [] });
    } finally {
      await servers.stop();
    }
  });

  it('standalone: a tool project of its own, next to the checkout, tests and serves', async () => {
    const [make, cd, test, start] = await commandsOf('standalone');
    expect([cd, test, start]).toEqual(['cd ../my-tool', 'npm test', 'npm start']);
    // Run from the checkout (here, the copy), as the page says.
    const here = new ShellSession(project.root);
    try {
      await here.run([`${make} --no-install`]);
      await linkStandaloneDependencies(join(project.root, '../my-tool'));
      await here.run([cd!, test!, `PORT=${await freePort()} ${start} &`]);
    } finally {
      await here.stop();
    }
  });
});
