import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020Module from 'ajv/dist/2020.js';
import { parse, parseAllDocuments, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemTypeFor } from '@kiln/api';
import { loadComposeFile, resolveTopology, validateCompose } from '@kiln/launcher';
import { docExample, ROOT, shellCommands } from './doc-examples.js';
import { freePort, ShellSession } from './shell-session.js';
import { runTypeScript } from './typescript-module.js';

// The examples of the README, docs/api.md, docs/errors.md, docs/mule.md,
// docs/command-builders.md, docs/launcher.md and docs/deploy.md that need no running project. Files a page asks for are
// written in a folder of test-output/, inside the repository, where `@kiln/core` resolves and
// `npx kiln` finds the CLI as they do for a reader in their checkout.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const run = promisify(execFile);
let work: string;
let shell: ShellSession;

beforeAll(async () => {
  await mkdir(join(ROOT, 'test-output'), { recursive: true });
  work = await mkdtemp(join(ROOT, 'test-output', 'doc-pages-'));
  shell = new ShellSession(work);
});
afterAll(async () => {
  await shell?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Serves a page's `npx kiln serve … --port N` on a free port; resolves with the base URL. */
async function serveAsShown(command: string, port: number): Promise<string> {
  const free = await freePort();
  await shell.run([`${command.replace(String(port), String(free))} &`]);
  return `http://127.0.0.1:${free}`;
}

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('README.md and docs/api.md', () => {
  let url: string;
  let openapi: { components: { schemas: Record<string, object> } };

  it('readme-tool, readme-serve: the dozen-line tool serves the whole artifact API', async () => {
    await writeFile(join(work, 'hello.mjs'), (await docExample('readme-tool')).code);
    const [serve] = shellCommands((await docExample('readme-serve')).code);
    url = await serveAsShown(serve!, 8080);
    expect((await postJson(`${url}/artifacts`, { name: 'a' })).status).toBe(202);
    await fetch(`${url}/artifacts/a/status?wait=30`);
    expect(await (await fetch(`${url}/artifacts/a/data`)).text()).toBe('hello world\n');
    openapi = (await (await fetch(`${url}/openapi.json`)).json()) as typeof openapi;
  });

  it('api-summary, api-create, problem-document: the JSON shown is what the API says', async () => {
    const ajv = new Ajv2020({ strict: false });
    const check = (schema: object, value: unknown): void => {
      const validate = ajv.compile({ ...schema, components: openapi.components });
      expect(validate(value), ajv.errorsText(validate.errors)).toBe(true);
    };
    const schemas = openapi.components.schemas;
    check(schemas['ArtifactSummary']!, JSON.parse((await docExample('api-summary')).code));
    const create = JSON.parse((await docExample('api-create')).code) as { parameters: object };
    expect(Object.keys(create)).toEqual(['name', 'parameters', 'cache']);
    const problem = JSON.parse((await docExample('problem-document')).code) as {
      type: string;
      code: string;
    };
    check(schemas['Problem']!, problem);
    expect(problem.type).toBe(problemTypeFor(problem.code));
    const notFound = await fetch(`${url}/artifacts/x/`);
    expect(await notFound.json()).toEqual({ ...problem, title: 'Not found' });
  });
});

describe('docs/mule.md', () => {
  it('mule-workers: each command serves as many workers as it says, each with its GPU', async () => {
    await writeFile(join(work, 'hello.mjs'), (await docExample('readme-tool')).code);
    const commands = shellCommands((await docExample('mule-workers')).code);
    const expected = [
      { port: 8401, workers: 4, gpu: null },
      { port: 8402, workers: 4, gpu: 0 },
      { port: 8403, workers: 2, gpu: 4 },
    ];
    expect(commands).toHaveLength(expected.length);
    for (const [i, command] of commands.entries()) {
      const { port, workers, gpu } = expected[i]!;
      const url = await serveAsShown(command, port);
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok', workers });
      expect((await postJson(`${url}/artifacts`, { name: 'a' })).status).toBe(202);
      await fetch(`${url}/artifacts/a/status?wait=30`);
      // The only build takes the first worker: its GPU is the first of the list.
      expect(await (await fetch(`${url}/artifacts/a/`)).json()).toMatchObject({
        status: 'completed',
        gpu,
      });
    }
  });

  it('mule-refused: bad worker options are refused with the line shown, exit code 1', async () => {
    await writeFile(join(work, 'hello.mjs'), (await docExample('readme-tool')).code);
    const lines = (await docExample('mule-refused')).code.trim().split('\n');
    for (let i = 0; i < lines.length; i += 2) {
      const command = lines[i]!.replace(/^\$ /, '');
      const { code, stdout, stderr } = await shell.refused(command);
      expect(code, command).toBe(1);
      expect(stdout, command).toBe('');
      expect(stderr.trim(), command).toBe(lines[i + 1]);
    }
  });
});

describe('docs/command-builders.md', () => {
  it('command-tool, command-python, command-serve: the Python builder builds and fails as shown', async () => {
    await writeFile(join(work, 'fit.mjs'), (await docExample('command-tool')).code);
    await writeFile(join(work, 'fit.py'), (await docExample('command-python')).code);
    const [serve, create, status] = shellCommands((await docExample('command-serve')).code);
    const free = String(await freePort());
    await shell.run([`${serve!.replace('8400', free)} &`]);
    const [, answer] = await shell.run([create!, status!].map((c) => c.replace('8400', free)));
    expect(JSON.parse(answer!.stdout)).toMatchObject({
      status: 'failed',
      error: 'more than 50 epochs would overfit this model',
    });
    const base = `http://127.0.0.1:${free}`;
    expect((await postJson(`${base}/artifacts`, { name: 'fit' })).status).toBe(202);
    expect(await (await fetch(`${base}/artifacts/fit/status?wait=30`)).json()).toMatchObject({
      status: 'completed',
    });
    const loss = (await (await fetch(`${base}/artifacts/fit/metrics/loss/values`)).json()) as {
      value: number;
    }[];
    expect(loss.map((point) => point.value)).toEqual([1, 0.5, 1 / 3]);
  });
});

/**
 * A project in `root` whose docker-compose.yml keeps only `services` of this repository's (its
 * anchors and settings as they are), running this repository's packages.
 */
async function projectOf(root: string, services: readonly string[]): Promise<string> {
  await mkdir(root);
  const compose = parseDocument(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'));
  const all = compose.get('services') as YAMLMap<Scalar<string>>;
  for (const { key } of [...all.items])
    if (!services.includes(key.value)) compose.deleteIn(['services', key.value]);
  await writeFile(join(root, 'docker-compose.yml'), compose.toString());
  for (const folder of ['base', 'components', 'containers', 'node_modules'])
    await symlink(join(ROOT, folder), join(root, folder));
  return root;
}

describe('docs/client.md', () => {
  it('client-topology: compose URLs stay references, and resolve through the topology', async () => {
    const folder = await mkdtemp(join(work, 'client-'));
    const code = `${(await docExample('client-topology')).code}
console.log(JSON.stringify([importer.url, name, client.url, topology.resolve(importer.artifactUrl('raw'))]));
`;
    const stdout = await runTypeScript(folder, code);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([
      'http://import:8080',
      'raw',
      'http://import:8080',
      'http://127.0.0.1:8082/artifacts/raw/',
    ]);
  });
});

describe('docs/launcher.md', () => {
  it('launcher-usage: is the usage `kiln up --help` prints', async () => {
    const { stdout } = await run(process.execPath, [
      join(ROOT, 'base/cli/dist/main.js'),
      'up',
      '--help',
    ]);
    expect(stdout.split('\n')[0]).toBe(
      `Usage: ${(await docExample('launcher-usage')).code.trim()}`,
    );
  });

  it('launcher-x-kiln: a service says how it differs locally', async () => {
    const file = join(work, 'x-kiln.yml');
    await writeFile(file, (await docExample('launcher-x-kiln')).code);
    expect(await validateCompose(parse((await docExample('launcher-x-kiln')).code))).toEqual([]);
    const topology = resolveTopology(await loadComposeFile(file, { variables: {} }), file);
    expect(topology.services[0]).toMatchObject({
      name: 'my-python-tool',
      command: ['node', 'base/cli/dist/main.js', 'serve', 'components/my-tool/dist/tool.js'],
      environment: { MY_TOOL_CACHE: '.kiln/cache' },
      healthPath: '/health',
    });
  });

  it('launcher-kiln-services, launcher-run-service: the convention the containers follow', async () => {
    const example = JSON.parse((await docExample('launcher-kiln-services')).code) as {
      name: string;
      kiln: unknown;
    };
    const gateway = join(ROOT, 'containers/gateway');
    const manifest = JSON.parse(await readFile(join(gateway, 'package.json'), 'utf8')) as {
      name: string;
      kiln: unknown;
    };
    expect(manifest).toMatchObject(example);
    const main = await readFile(join(gateway, 'src/main.ts'), 'utf8');
    for (const line of (await docExample('launcher-run-service')).code.split('\n').slice(1))
      expect(main).toContain(line);
    // The module it names exports what the launcher calls.
    const service = (await import(join(gateway, 'dist/service.js'))) as Record<string, unknown>;
    expect(typeof service['startService']).toBe('function');
  });

  it('launcher-isolate: every service in a process of its own', async () => {
    const root = await projectOf(join(await mkdtemp(join(work, 'isolate-')), 'kiln'), [
      'gateway',
      'train',
    ]);
    for (const line of shellCommands((await docExample('launcher-isolate')).code)) {
      // `VAR=value node …`, as a shell runs it (the lines have no quotes).
      const words = line.split(' ');
      const assignments = words.filter((word, i) =>
        words.slice(0, i + 1).every((w) => w.includes('=')),
      );
      const [executable, ...args] = words.slice(assignments.length);
      expect(executable).toBe('node');
      const child = spawn(process.execPath, args, {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          KILN_TOKEN: '',
          KILN_ISOLATE: '',
          ...Object.fromEntries(assignments.map((word) => word.split('='))),
        },
      });
      try {
        let out = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        await new Promise<void>((resolve, reject) => {
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            out += chunk;
            if (out.includes('Kiln is up: ')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`${line}: exited with ${code}:\n${out}`)));
        });
        // One process per service, below kiln up.
        expect(childrenOf(child.pid!), line).toHaveLength(2);
        const exited = once(child, 'exit');
        child.kill('SIGINT');
        expect((await exited)[0], line).toBe(0);
      } finally {
        // A failed check leaves the launcher running: its services go with it, not orphaned.
        if (child.exitCode === null && child.signalCode === null) {
          for (const pid of childrenOf(child.pid!)) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // it ended meanwhile
            }
          }
          child.kill('SIGKILL');
        }
      }
    }
  }, 120_000);

  it('launcher-api: the launcher, driven from code, starts and stops the project', async () => {
    const folder = await mkdtemp(join(work, 'launcher-'));
    // The example's project, cut to the services it names: docs/example-project.test.ts starts
    // the whole one already, and this one need not start eleven processes again.
    const root = await projectOf(join(folder, 'kiln'), ['gateway', 'train']);
    const code = (await docExample('launcher-api')).code
      .replace("'/path/to/kiln'", JSON.stringify(root))
      .replace("'/tmp/kiln-test'", JSON.stringify(join(folder, 'data')));
    const stdout = await runTypeScript(folder, `${code}console.log('stopped');\n`);
    expect(stdout).toMatch(/gateway is healthy/);
    expect(stdout.trim().split('\n').at(-1)).toBe('stopped');
  }, 180_000);
});

describe('docs/deploy.md', () => {
  it('kubernetes: the manifests name the compose services, their images and port 8080', async () => {
    const documents = parseAllDocuments((await docExample('kubernetes')).code).map(
      (document) => document.toJS() as { kind: string; metadata: { name: string } },
    );
    const compose = await loadComposeFile(join(ROOT, 'docker-compose.yml'), { variables: {} });
    const kinds = documents.map((document) => document.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service']));
    for (const document of documents.filter((d) => ['Deployment', 'Service'].includes(d.kind))) {
      const name = document.metadata.name.replace(/-data$/, '');
      expect(Object.keys(compose.services), `${document.kind} ${name}`).toContain(name);
    }
    const text = (await docExample('kubernetes')).code;
    for (const image of text.matchAll(/image: (\S+)/g))
      expect(image[1]).toMatch(/^registry\.example\.com\/kiln\/[a-z-]+:1\.0\.0$/);
    expect(text).toMatch(/containerPort: 8080/);
  });
});

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number),
  );
}
