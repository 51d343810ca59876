import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readComposeTopology } from '@kiln/topology';
import { parse } from 'yaml';
import {
  interpolate,
  loadComposeFile,
  resolveTopology,
  validateCompose,
  type ComposeFile,
  type ComposeService,
} from '../src/index.js';

// The project's own compose files, checked as far as they can be without a Docker engine.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'docker-compose.yml');
const BUILD = join(ROOT, 'docker-compose-build.yml');
const DEFAULTS = {};

function readRaw(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { merge: true });
}

interface DockerfileFacts {
  stages: number;
  user: string | undefined;
  volumes: string[];
  healthPath: string | undefined;
  exposes: string[];
  workspaces: string[];
  cmd: string | undefined;
  text: string;
}

function readDockerfile(path: string): DockerfileFacts {
  const text = readFileSync(path, 'utf8');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim());
  const instruction = (name: string): string[] =>
    lines
      .filter((line) => line.toUpperCase().startsWith(`${name} `))
      .map((line) => line.slice(name.length + 1).trim());
  return {
    stages: instruction('FROM').length,
    user: instruction('USER').at(-1),
    volumes: instruction('VOLUME'),
    healthPath: /HEALTHCHECK[^\n]*?'(\/[^']*)'\)/.exec(lines.join('\n'))?.[1],
    exposes: instruction('EXPOSE'),
    workspaces: /^ARG WORKSPACES="([^"]*)"/m.exec(text)?.[1]?.split(/\s+/) ?? [],
    cmd: instruction('CMD').at(-1),
    text,
  };
}

/** Every workspace folder `folders` need, following `@kiln/*` dependencies. */
function dependencyClosure(folders: string[]): Set<string> {
  const byName = new Map<string, string>();
  for (const parent of ['base', 'components', 'containers']) {
    for (const entry of existsSync(join(ROOT, parent)) ? readdirSync(join(ROOT, parent)) : []) {
      const manifest = join(ROOT, parent, entry, 'package.json');
      if (existsSync(manifest))
        byName.set(
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name,
          `${parent}/${entry}`,
        );
    }
  }
  const closure = new Set<string>();
  const visit = (folder: string): void => {
    if (closure.has(folder)) return;
    closure.add(folder);
    const manifest = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const workspace = byName.get(dependency);
      if (workspace) visit(workspace);
    }
  };
  folders.forEach(visit);
  return closure;
}

const deploy: ComposeFile = await loadComposeFile(DEPLOY, { variables: DEFAULTS });
const build: ComposeFile = await loadComposeFile(BUILD, { variables: DEFAULTS });

/**
 * The services that build images: docker-compose-build.yml's, and the deploy file's services
 * that say how their own image is built (as `kiln new` writes them).
 */
const builders = [
  ...Object.values(build.services),
  ...Object.values(deploy.services).filter((service) => service.build !== undefined),
];

/** The Dockerfile that builds `image`. */
function dockerfileOf(image: string | undefined): string {
  const builder = builders.find((service) => service.image === image);
  expect(builder, `no service builds ${image}`).toBeDefined();
  const spec = builder!.build as { context: string; dockerfile: string };
  return join(ROOT, spec.context, spec.dockerfile);
}

/** The workspace a module path is in (`containers/train/dist/tool.js` → `containers/train`). */
function workspaceOf(module: string): string {
  return module.split('/').slice(0, 2).join('/');
}

describe('compose files', () => {
  it('validate against the Compose Specification schema', async () => {
    expect(await validateCompose(readRaw(DEPLOY))).toEqual([]);
    expect(await validateCompose(readRaw(BUILD))).toEqual([]);
    // The check can fail: a misspelt key is caught.
    const broken = readRaw(DEPLOY) as { services: Record<string, Record<string, unknown>> };
    broken.services['gateway']!['port'] = ['8080:8080'];
    expect(await validateCompose(broken)).toEqual([
      "/services/gateway: must NOT have additional properties 'port'",
    ]);
  });

  it('name an existing build context and Dockerfile for every image', () => {
    for (const [name, service] of Object.entries({ ...build.services, ...deploy.services })) {
      if (service.build === undefined) continue;
      const spec = service.build as { context?: string; dockerfile?: string };
      expect(spec.context, name).toBe('.');
      expect(existsSync(join(ROOT, spec.context!)), name).toBe(true);
      expect(
        existsSync(join(ROOT, spec.context!, spec.dockerfile!)),
        `${name}: ${spec.dockerfile}`,
      ).toBe(true);
    }
    for (const service of Object.values(deploy.services)) dockerfileOf(service.image);
  });

  it("match the launcher's view of the topology", () => {
    const topology = resolveTopology(deploy, DEPLOY);
    expect(new Set(topology.services.map((service) => service.name))).toEqual(
      new Set(Object.keys(deploy.services)),
    );
    expect(topology.name).toBe('kiln');
    for (const spec of topology.services) {
      const service = deploy.services[spec.name]!;
      expect(spec.command, spec.name).toEqual(service.command);
      expect(spec.healthPath, spec.name).toBe(spec.name === 'gateway' ? '/healthz' : '/health');
      // The module the service runs is a workspace's: compiled from its source file, or served as
      // it is (a JavaScript tool); the service's image holds that workspace.
      const module =
        spec.command.find(
          (arg) =>
            /^(base|components|containers)\/[^/]+\/.+\.js$/.test(arg) &&
            arg !== 'base/cli/dist/main.js',
        ) ?? spec.command[1]!;
      const compiled = /^((?:base|components|containers)\/[^/]+)\/dist\/(.+)\.js$/.exec(module);
      const source = compiled ? `${compiled[1]}/src/${compiled[2]}.ts` : module;
      expect(existsSync(join(ROOT, source)), `${spec.name}: ${source}`).toBe(true);
      expect(readDockerfile(dockerfileOf(spec.image)).workspaces, spec.name).toContain(
        workspaceOf(module),
      );
    }
  });

  it('deploy as the issue asks: one published port, a private network, a volume per container, a GPU for training', () => {
    const published = Object.entries(deploy.services).filter(
      ([, service]) => (service.ports ?? []).length > 0,
    );
    expect(published.map(([name]) => name)).toEqual(['gateway']);
    expect(deploy.services['gateway']!.ports).toEqual(['8080:8080']);
    expect(Object.keys(deploy.networks ?? {})).toEqual(['kiln']);
    const volumes = new Set<string>();
    for (const [name, service] of Object.entries(deploy.services)) {
      expect(service['networks'], name).toEqual(['kiln']);
      expect(service.volumes, name).toEqual([`${name}-data:/data`]);
      volumes.add(`${name}-data`);
    }
    expect(new Set(Object.keys(deploy.volumes ?? {}))).toEqual(volumes);
    const train = deploy.services['train'] as ComposeService & {
      deploy: { resources: { reservations: { devices: Array<{ capabilities: string[] }> } } };
    };
    expect(train.deploy.resources.reservations.devices[0]!.capabilities).toContain('gpu');
    expect(readDockerfile(dockerfileOf(train.image)).text).toContain('@tensorflow/tfjs-node-gpu');
  });

  it('take the token and the published port from the environment', async () => {
    const configured = await loadComposeFile(DEPLOY, {
      variables: { KILN_TOKEN: 'tok', KILN_PORT: '9000' },
    });
    expect(
      (configured.services['gateway']!.environment as Record<string, string>)['KILN_TOKEN'],
    ).toBe('tok');
    expect(configured.services['gateway']!.ports).toEqual(['9000:8080']);
    expect((deploy.services['gateway']!.environment as Record<string, string>)['KILN_TOKEN']).toBe(
      '',
    );
    expect(
      interpolate('${KILN_IMAGE_PREFIX:-kiln/}train', {
        KILN_IMAGE_PREFIX: 'registry.example/kiln-',
      }),
    ).toBe('registry.example/kiln-train');
  });

  it('give every service the file itself as its topology, and repeat no list of containers', async () => {
    expect(deploy['configs' as keyof ComposeFile]).toEqual({
      'kiln-topology': { file: './docker-compose.yml' },
    });
    for (const [name, service] of Object.entries(deploy.services)) {
      expect(service['configs'], name).toEqual([
        { source: 'kiln-topology', target: '/etc/kiln/docker-compose.yml' },
      ]);
      const env = service.environment as Record<string, string>;
      expect(env['KILN_COMPOSE_FILE'], name).toBe('/etc/kiln/docker-compose.yml');
      // No service is told where another one is, nor waits for a list of them.
      for (const value of Object.values(env))
        expect(String(value), name).not.toMatch(/https?:\/\//);
      expect(service.depends_on, name).toBeUndefined();
    }
    // The roles the topology reads: three services serve the project, the rest are containers.
    const topology = await readComposeTopology(DEPLOY);
    expect(topology.services.map((s) => [s.name, s.role ?? 'container'])).toEqual(
      Object.keys(deploy.services).map((name) => [
        name,
        ['gateway', 'dashboard', 'visualization'].includes(name) ? name : 'container',
      ]),
    );
  });

  it('stay free of the lists they replaced, and so does every container', () => {
    const removed =
      /KILN_CONTAINER_URLS|KILN_PIPELINE_URLS|KILN_DASHBOARD_URL|x-tool-urls|x-tools-healthy/;
    expect(readFileSync(DEPLOY, 'utf8')).not.toMatch(removed);
    const sources = ['base', 'containers', 'components'].flatMap((parent) =>
      readdirSync(join(ROOT, parent)).flatMap((entry) =>
        sourceFiles(join(ROOT, parent, entry, 'src')),
      ),
    );
    expect(sources.length).toBeGreaterThan(100);
    for (const file of sources) expect(readFileSync(file, 'utf8'), file).not.toMatch(removed);
  });
});

/** Every file under `dir` (none when it does not exist). */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('Dockerfiles', () => {
  const dockerfiles = [
    ...new Set(builders.map((service) => (service.build as { dockerfile: string }).dockerfile)),
  ].map((dockerfile) => join(ROOT, dockerfile));

  it('are multi-stage, run as a non-root user, keep /data in a volume and check health', () => {
    for (const path of dockerfiles) {
      const facts = readDockerfile(path);
      const where = relative(ROOT, path);
      expect(facts.stages, where).toBeGreaterThanOrEqual(3);
      expect(facts.user, where).toMatch(/^(node|kiln)$/);
      expect(facts.volumes, where).toEqual(['/data']);
      expect(facts.exposes, where).toEqual(['8080']);
      expect(facts.text, where).toMatch(
        /^ENV NODE_ENV=production PORT=8080 HOST=0\.0\.0\.0 DATA_DIR=\/data$/m,
      );
      expect(facts.cmd, where).toMatch(/^\["node", /);
    }
  });

  it('check the same health path as docker-compose.yml, and hold every workspace they need', () => {
    for (const [name, service] of Object.entries(deploy.services)) {
      const facts = readDockerfile(dockerfileOf(service.image));
      expect(facts.healthPath, name).toBe(
        resolveTopology(deploy, DEPLOY).services.find((spec) => spec.name === name)!.healthPath,
      );
    }
    for (const path of dockerfiles) {
      const { workspaces } = readDockerfile(path);
      expect(new Set(workspaces), relative(ROOT, path)).toEqual(dependencyClosure(workspaces));
      for (const workspace of workspaces)
        expect(existsSync(join(ROOT, workspace, 'package.json')), workspace).toBe(true);
      expect(dirname(relative(ROOT, path))).toBe(workspaces.at(-1));
    }
  });
});
