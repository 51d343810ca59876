import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTopology, startProject, validateCompose, loadComposeFile } from '@kiln/launcher';
import { readComposeTopology } from '@kiln/topology';
import { createProjectCopy, type ProjectCopy } from './support/project-copy.js';
import { oneErrorLine, runKiln } from './support/run-kiln.js';

// `kiln new` in a copy of this project: what it writes builds, lints, tests and serves as it
// is, and docker-compose.yml is the only file outside the new folders it changes.
const SCAFFOLDS = [
  { args: ['tool', 'greet'], folder: 'containers/greet' },
  { args: ['tool', 'greet-js', '--lang', 'js'], folder: 'containers/greet-js' },
  { args: ['tool', 'greet-py', '--lang', 'python'], folder: 'containers/greet-py' },
  {
    args: ['pipeline', 'greetings', '--step', 'greet', '--step', 'greet-py'],
    folder: 'containers/greetings',
  },
];
const FOLDERS = SCAFFOLDS.map((scaffold) => scaffold.folder);

let project: ProjectCopy;
let composeBefore: string;
const written = new Map<string, string[]>();

beforeAll(async () => {
  project = await createProjectCopy();
  composeBefore = await readFile(join(project.root, 'docker-compose.yml'), 'utf8');
  for (const { args, folder } of SCAFFOLDS) {
    const result = await runKiln(['new', ...args, '--no-install'], { cwd: project.root });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    written.set(folder, result.stdout.trim().split('\n'));
  }
}, 120_000);
afterAll(async () => project?.remove());

/** docker-compose.yml without what the scaffolds added: their services and volumes. */
function withoutScaffolds(text: string): string {
  let result = text;
  for (const name of ['greetings', 'greet-py', 'greet-js', 'greet']) {
    result = result
      .replace(new RegExp(`\\n  ${name}:\\n(    .*\\n|\\s*\\n(?=    ))*`), '')
      .replace(`  ${name}-data: {}\n`, '');
  }
  return result;
}

type Compose = { services: Record<string, Record<string, unknown>>; volumes: object };
type Service = Record<string, unknown>;

/** What a service says of itself, apart from the settings every service shares. */
const OWN = ['build', 'command', 'image', 'volumes'];
const own = (service: Service): Service =>
  Object.fromEntries(Object.entries(service).filter(([key]) => OWN.includes(key)));
const shared = (service: Service): Service =>
  Object.fromEntries(Object.entries(service).filter(([key]) => !OWN.includes(key)));
const composeOf = (text: string): Compose => parse(text, { merge: true }) as Compose;

describe('kiln new', () => {
  it('writes a folder of its own and adds its service to docker-compose.yml', async () => {
    expect(written.get('containers/greet')).toEqual([
      'containers/greet/package.json',
      'containers/greet/src/tool.ts',
      'containers/greet/README.md',
      'containers/greet/Dockerfile',
      'containers/greet/tsconfig.json',
      'containers/greet/test/tool.test.ts',
      'docker-compose.yml',
    ]);
    expect(written.get('containers/greet-py')).toContain('containers/greet-py/tool.py');
    for (const files of written.values()) {
      const outside = files.filter((file) => !FOLDERS.some((f) => file.startsWith(`${f}/`)));
      expect(outside).toEqual(['docker-compose.yml']);
    }
    const text = await readFile(join(project.root, 'docker-compose.yml'), 'utf8');
    expect(await validateCompose(parse(text, { merge: true }))).toEqual([]);
    const [before, after] = [composeOf(composeBefore), composeOf(text)];
    expect(Object.keys(after.services)).toEqual([
      ...Object.keys(before.services),
      'greet',
      'greet-js',
      'greet-py',
      'greetings',
    ]);
    expect(after.services['greet-py']).toMatchObject({
      build: { context: '.', dockerfile: 'containers/greet-py/Dockerfile' },
      command: ['node', 'base/cli/dist/main.js', 'serve', 'containers/greet-py/tool.js'],
      volumes: ['greet-py-data:/data'],
      healthcheck: before.services['import']!['healthcheck'],
    });
    // A pipeline's entry is as plain as a tool's: the shared settings (the topology mount and
    // KILN_COMPOSE_FILE among them) and nothing naming its steps.
    const greetings = after.services['greetings']!;
    expect(shared(greetings)).toEqual(shared(before.services['import']!));
    expect(greetings['configs']).toEqual([
      { source: 'kiln-topology', target: '/etc/kiln/docker-compose.yml' },
    ]);
    expect(greetings['environment']).toEqual({
      KILN_COMPOSE_FILE: '/etc/kiln/docker-compose.yml',
    });
    expect(own(greetings)).toEqual({
      build: { context: '.', dockerfile: 'containers/greetings/Dockerfile' },
      command: ['node', 'base/cli/dist/main.js', 'serve', 'containers/greetings/dist/pipeline.js'],
      image: '${KILN_IMAGE_PREFIX:-kiln/}greetings:${KILN_IMAGE_TAG:-latest}',
      volumes: ['greetings-data:/data'],
    });
    expect(Object.keys(after.volumes)).toContain('greetings-data');
    // Every line already there stays: the other services learn the new ones from the topology.
    expect(withoutScaffolds(text)).toBe(composeBefore);
    const topology = await readComposeTopology(join(project.root, 'docker-compose.yml'));
    expect(topology.services.filter((service) => service.name.startsWith('greet'))).toEqual([
      { name: 'greet' },
      { name: 'greet-js' },
      { name: 'greet-py' },
      { name: 'greetings' },
    ]);
  });

  it('writes what the project Prettier, ESLint and knip accept', async () => {
    await project.run('npx', ['prettier', '--check', ...FOLDERS, 'docker-compose.yml']);
    await project.run('npx', ['tsc', '-b', 'containers/greet', 'containers/greetings']);
    await project.run('npx', ['eslint', '--max-warnings', '0', ...FOLDERS]);
    await project.run('npx', [
      'knip',
      '--no-progress',
      ...FOLDERS.flatMap((folder) => ['--workspace', folder]),
    ]);
  }, 120_000);

  it("passes the tests it writes, and its launcher's view matches docker-compose.yml", async () => {
    const { stdout } = await project.run('npx', ['vitest', 'run', ...FOLDERS]);
    expect(stdout).toMatch(/Test Files {2}4 passed/);
    const compose = await loadComposeFile(join(project.root, 'docker-compose.yml'), {
      variables: {},
    });
    const topology = resolveTopology(compose, join(project.root, 'docker-compose.yml'));
    expect(topology.services.find((service) => service.name === 'greetings')).toMatchObject({
      healthPath: '/health',
      dependsOn: [],
    });
  }, 120_000);

  it('serves a run of the new pipeline through its compose services (kiln up greetings greet greet-py)', async () => {
    const running = await startProject({
      root: project.root,
      dataDir: join(project.root, '.kiln'),
      environment: process.env,
      services: ['greetings', 'greet', 'greet-py'],
      port: 0,
      basePort: 0,
    });
    try {
      // Served by `kiln serve`, the new containers are hosted in the launcher's process, the
      // Python tool too (its tool.py runs in its mule, once per build).
      for (const name of ['greetings', 'greet', 'greet-py'])
        expect(running.services.get(name)!.hosted, name).toBe(true);
      const url = running.services.get('greetings')!.url;
      const created = await fetch(`${url}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'r1' }),
      });
      expect(created.status).toBe(202);
      const status = await (await fetch(`${url}/runs/r1/status?wait=60`)).json();
      expect(status).toMatchObject({ status: 'completed' });
      const steps = (await (await fetch(`${url}/runs/r1/steps`)).json()) as { step: string }[];
      expect(steps.map((step) => step.step)).toEqual(['greet', 'greet-py']);
    } finally {
      await running.stop();
    }
  }, 120_000);

  it('refuses a taken name, a bad name and an unknown step, each in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['tool', 'greet'], /containers\/greet already exists/],
      [['tool', 'core'], /already has a package named @kiln\/core/],
      [['tool', 'Bad_Name'], /'Bad_Name' cannot name a container/],
      [['pipeline', 'p2', '--step', 'nowhere'], /has no service nowhere serving a tool/],
      [['tool', 'fashion-mnist-linear'], /already has a service named fashion-mnist-linear/],
    ];
    for (const [args, message] of cases) {
      const result = await runKiln(['new', ...args, '--no-install'], { cwd: project.root });
      expect(result.code, args.join(' ')).toBe(2);
      expect(oneErrorLine(result)).toMatch(message);
    }
    const outside = await runKiln(['new', 'tool', 'x', '--no-install'], { cwd: '/' });
    expect(oneErrorLine(outside)).toMatch(/not inside a Kiln project/);
  });
});
