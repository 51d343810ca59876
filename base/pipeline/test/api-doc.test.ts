import { Validator } from '@seriousme/openapi-schema-validator';
import { startToolServer, type RunningToolServer } from '@kiln/core';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, waitFinal } from './http-helpers.js';

// docs/api.md, "Pipeline container": a pipeline serves the whole tool API with /runs in place
// of /artifacts, plus the routes of its own table. Its /openapi.json must describe exactly
// those, and each route of the table must answer as its OpenAPI entry says. (The tool routes'
// answers are checked against the table by @kiln/core's api-doc test.)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface DocRoute {
  method: string;
  path: string;
  meaning: string;
}

interface Operation {
  parameters: { name: string; in: string }[];
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: object }> }
  >;
}

interface OpenApiDocument {
  // Read as the validator takes it: any JSON object.
  [member: string]: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

/** The rows of the first table under `## <heading>` in docs/api.md. */
async function docTable(heading: string): Promise<DocRoute[]> {
  const text = await readFile(join(ROOT, 'docs/api.md'), 'utf8');
  const section = text.split(`\n## ${heading}\n`)[1]?.split(/\n#{2,3} /)[0] ?? '';
  return section
    .split('\n')
    .map((line) => /^\| (GET|POST|DELETE|PUT)\s*\| `([^`]+)`\s*\| (.*) \|$/.exec(line))
    .filter((match) => match !== null)
    .map(([, method = '', path = '', meaning = '']) => ({ method, path, meaning }));
}

/** A path as OpenAPI keys it: no trailing slash. */
function openApiPath(path: string): string {
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

/** `METHOD /path`, as the tables and /openapi.json are compared. */
function key(method: string, path: string): string {
  return `${method.toUpperCase()} ${openApiPath(path)}`;
}

/** A tool route as a pipeline serves it: on its runs. */
function onRuns(route: DocRoute): DocRoute {
  return { ...route, path: route.path.replace(/^\/artifacts(?=\/|$)/, '/runs') };
}

function operationOf(route: DocRoute): Operation | undefined {
  return doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
}

const STEPS = ['s1', 's2', 's3', 's4', 's5', 's6'];
let root: string;
let tool: RunningToolServer;
let pipeline: RunningToolServer;
let table: DocRoute[];
let toolTable: DocRoute[];
let doc: OpenApiDocument;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiln-pipeline-api-'));
  tool = await startToolServer({
    modulePath: fixture('echo-tool.mjs'),
    dataDir: join(root, 'tool'),
    port: 0,
  });
  // One echo container behind the six service names the chain pipeline steps through.
  pipeline = await startToolServer({
    modulePath: fixture('chain-pipeline.mjs'),
    dataDir: join(root, 'pipeline'),
    port: 0,
    topology: { services: STEPS.map((name) => ({ name, address: tool.url })) },
  });
  table = await docTable('Pipeline container');
  toolTable = await docTable('Tool container');
  doc = await http(`${pipeline.url}/openapi.json`).json<OpenApiDocument>();
  await http.post(`${pipeline.url}/runs`, { json: { name: 'doc', parameters: { steps: 1 } } });
  expect(await waitFinal(`${pipeline.url}/runs/doc`)).toMatchObject({ status: 'completed' });
});

afterAll(async () => {
  await pipeline?.close();
  await tool?.close();
  await rm(root, { recursive: true, force: true });
});

describe('docs/api.md, pipeline container', () => {
  it('has a table of its own routes to check', () => {
    expect(table.map((route) => key(route.method, route.path))).toEqual([
      'GET /task',
      'GET /containers',
      'GET /artifacts',
      'GET /runs/{name}/steps',
      'GET /runs/{name}/variants',
    ]);
  });

  it('lists, with the tool routes on /runs, exactly the routes /openapi.json describes', () => {
    const documented = [
      ...[...toolTable.map(onRuns), ...table].map((route) => key(route.method, route.path)),
    ].sort();
    const served = Object.entries(doc.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => key(method, path)))
      .sort();
    expect(served).toEqual(documented);
  });

  it('describes the query parameters the tables name', () => {
    for (const route of [...toolTable.map(onRuns), ...table]) {
      const where = `${route.method} ${route.path}`;
      const operation = operationOf(route);
      expect(operation, where).toBeDefined();
      const named = [...route.meaning.matchAll(/`\?(\w+)=/g)].map(([, name]) => name);
      const described = operation!.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      for (const name of named) expect(described, where).toContain(name);
    }
  });

  it('serves each route of its table, answering as its OpenAPI entry says', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const route of table) {
      const path = route.path.replace('{name}', 'doc');
      const response = await fetch(`${pipeline.url}${path}`, { method: route.method });
      const where = `${route.method} ${route.path} → ${response.status}`;
      expect(response.status, where).toBe(200);
      expect(response.headers.get('x-request-id'), where).toBeTruthy();
      const operation = operationOf(route)!;
      const schema = operation.responses['200']!.content?.['application/json']?.schema;
      expect(schema, where).toBeDefined();
      const validate = ajv.compile({ ...schema, components: doc.components });
      const body: unknown = await response.json();
      expect(validate(body), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(body, where).not.toEqual([]);
    }
  });

  it('answers a bad query and an unknown run with the problem documents it documents', async () => {
    const ajv = new Ajv2020({ strict: false });
    const problem = ajv.compile({ ...doc.components.schemas['Problem']!, components: {} });
    for (const [path, status] of [
      ['/artifacts?status=done', 400],
      ['/runs/nobody/steps', 404],
    ] as const) {
      const response = await fetch(`${pipeline.url}${path}`);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(problem(await response.json()), path).toBe(true);
      const operation = doc.paths[path.split('?')[0]!.replace('nobody', '{name}')]!['get']!;
      expect(operation.responses[String(status)]!.content, path).toEqual({
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      });
    }
  });
});

describe("a pipeline's /openapi.json", () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
