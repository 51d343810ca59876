import { isCompiled, moduleFile, ScaffoldLanguage, type ScaffoldSpec } from './scaffold-spec.js';

// Each scaffold's test serves the module as `kiln serve` does (the compiled file for
// TypeScript) in a data folder of its own, and drives it over HTTP on a free port.

/** Type annotations, kept only in TypeScript. */
function typed(spec: ScaffoldSpec, annotation: string): string {
  return isCompiled(spec) ? annotation : '';
}

function imports(spec: ScaffoldSpec): string {
  const core = isCompiled(spec)
    ? "import { startToolServer, type RunningToolServer } from '@kiln/core';"
    : "import { startToolServer } from '@kiln/core';";
  return `${core}
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';`;
}

function moduleConstant(spec: ScaffoldSpec, file: string, why: string): string {
  return `// ${why}
const MODULE = fileURLToPath(new URL('../${file}', import.meta.url));`;
}

function createHelper(spec: ScaffoldSpec, server: string, collection: string): string {
  return `/** POSTs a create request to the container. */
function create(body${typed(spec, ': unknown')})${typed(spec, ': Promise<Response>')} {
  return fetch(\`\${${server}.url}/${collection}\`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}`;
}

/** `test/tool.test.{ts,js}`: builds an artifact, and sees a bad parameter refused. */
export function toolTest(spec: ScaffoldSpec): string {
  const why = isCompiled(spec)
    ? 'The compiled module, as `kiln serve` runs it: `npm run build` first.'
    : 'The module, as `kiln serve` runs it.';
  const python =
    spec.lang === ScaffoldLanguage.Python
      ? `

  it('fails with the message its builder gives', async () => {
    expect((await create({ name: 'nobody', parameters: { who: ' ' } })).status).toBe(202);
    const status = await (await fetch(\`\${server.url}/artifacts/nobody/status?wait=30\`)).json();
    expect(status).toMatchObject({ status: 'failed', error: 'there is nobody to greet' });
  });`
      : '';
  return `${imports(spec)}

${moduleConstant(spec, moduleFile(spec), why)}

let dataDir${typed(spec, ': string')};
let server${typed(spec, ': RunningToolServer')};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), '${spec.name}-'));
  server = await startToolServer({ modulePath: MODULE, dataDir, port: 0 });
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

${createHelper(spec, 'server', 'artifacts')}

describe('${spec.name}', () => {
  it('builds an artifact from its parameters', async () => {
    expect((await create({ name: 'twice', parameters: { who: 'Kiln', times: 2 } })).status).toBe(
      202,
    );
    const status = await (await fetch(\`\${server.url}/artifacts/twice/status?wait=30\`)).json();
    expect(status).toMatchObject({ status: 'completed' });
    const data = await fetch(\`\${server.url}/artifacts/twice/data\`);
    expect(await data.text()).toBe('hello Kiln\\nhello Kiln\\n');
  });

  it('refuses parameters its schema does not allow', async () => {
    const refused = await create({ parameters: { times: 0 } });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ errors: [{ path: '/times' }] });
  });${python}
});
`;
}

/**
 * `test/pipeline.test.ts`: serves each step's container from its module (`stepModules`, paths
 * relative to the test folder), gives the pipeline a topology naming them, and runs it to the end.
 */
export function pipelineTest(spec: ScaffoldSpec, stepModules: ReadonlyMap<string, string>): string {
  const steps = [...stepModules];
  const constants = steps
    .map(([name, path]) => `  ['${name}', fileURLToPath(new URL('${path}', import.meta.url))],`)
    .join('\n');
  return `${imports(spec)}

${moduleConstant(spec, moduleFile(spec), 'The compiled module, as `kiln serve` runs it: `npm run build` first.')}

/** Each container a run steps through, by name, and the module its compose service serves. */
const STEPS = new Map<string, string>(${steps.length === 0 ? '' : `[\n${constants}\n]`});

let dataDir: string;
let servers: RunningToolServer[] = [];
let pipeline: RunningToolServer;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), '${spec.name}-'));
  const services: { name: string; address: string }[] = [];
  for (const [name, modulePath] of STEPS) {
    const server = await startToolServer({ modulePath, dataDir: join(dataDir, name), port: 0 });
    servers.push(server);
    services.push({ name, address: server.url });
  }
  // The project's topology: each step's service, reached where this test serves it (npm start
  // and Docker give the pipeline docker-compose.yml instead).
  pipeline = await startToolServer({
    modulePath: MODULE,
    dataDir: join(dataDir, '${spec.name}'),
    port: 0,
    topology: { services },
  });
});

afterAll(async () => {
  await pipeline?.close();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  await rm(dataDir, { recursive: true, force: true });
});

${createHelper(spec, 'pipeline', 'runs')}

describe('${spec.name}', () => {
  it('runs to the end, through every container it names', async () => {
    expect((await create({ name: 'first' })).status).toBe(202);
    const status = await (await fetch(\`\${pipeline.url}/runs/first/status?wait=60\`)).json();
    expect(status).toMatchObject({ status: 'completed' });
    const steps = (await (await fetch(\`\${pipeline.url}/runs/first/steps\`)).json()) as {
      container: string;
      status: string;
    }[];
    expect(steps.every((step) => step.status === 'completed')).toBe(true);
    expect(new Set(steps.map((step) => step.container))).toEqual(new Set(STEPS.keys()));
  });
});
`;
}
