import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, startServer, waitFinal } from './helpers.js';

// docs/api.md is the contract as users read it. Every route of its tool-container table must be
// served by @kiln/core and described in /openapi.json, with the query parameters the table
// names; the container serves nothing the table leaves out; and each answer is what its
// OpenAPI entry says.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
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
  openapi: string;
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

/** `/artifacts/{name}/` → `/artifacts/{name}`, the form OpenAPI paths take. */
function openApiPath(path: string): string {
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

let server: Awaited<ReturnType<typeof startServer>>;
let routes: DocRoute[];
let doc: OpenApiDocument;

beforeAll(async () => {
  server = await startServer('echo-tool.mjs');
  routes = await docTable('Tool container');
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
  const form = new FormData();
  form.set('name', 'doc');
  form.set('parameters', JSON.stringify({ files: 2 }));
  form.set('notes', new Blob(['a note\n']), 'notes.txt');
  await fetch(`${server.url}/artifacts`, { method: 'POST', body: form });
  await create(server.url, { name: 'doomed' });
  await waitFinal(server.url, 'doc');
  await waitFinal(server.url, 'doomed');
});
afterAll(async () => server?.stop());

/** A request for a documented route, on the artifacts made above. */
function requestFor(route: DocRoute): { url: string; init: RequestInit } {
  const values: Record<string, string> = {
    name: route.method === 'DELETE' ? 'doomed' : 'doc',
    path: 'out-0.txt',
    file: 'notes',
    metric: 'loss',
    view: 'values',
  };
  const path = route.path.replace(/\{(\w+)\}/g, (_all, key: string) => values[key]!);
  const init: RequestInit = { method: route.method };
  if (route.method === 'POST' && path === '/artifacts') {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify({ parameters: { text: 'from the doc test' } });
  }
  return { url: `${server.url}${path}`, init };
}

describe('docs/api.md, tool container', () => {
  it('has a table of routes to check', () => {
    expect(routes.length).toBeGreaterThanOrEqual(18);
    expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/events' }));
  });

  it('lists exactly the routes /openapi.json describes', () => {
    const documented = routes.map((route) => `${route.method} ${openApiPath(route.path)}`).sort();
    const served = Object.entries(doc.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(served).toEqual(documented);
  });

  it("describes each route's query parameters named in the table", () => {
    for (const route of routes) {
      const operation = doc.paths[openApiPath(route.path)]![route.method.toLowerCase()]!;
      const named = [...route.meaning.matchAll(/`\?(\w+)=/g)].map(([, name]) => name);
      const described = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      for (const name of named) expect(described, `${route.method} ${route.path}`).toContain(name);
    }
  });

  it('serves every route, answering as its OpenAPI entry says', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('kiln-artifact', true);
    for (const route of routes) {
      const { url, init } = requestFor(route);
      const abort = new AbortController();
      const response = await fetch(url, { ...init, signal: abort.signal });
      const where = `${route.method} ${route.path} → ${response.status}`;
      const operation = doc.paths[openApiPath(route.path)]![route.method.toLowerCase()]!;
      const answer = operation.responses[String(response.status)];
      expect(answer, `${where} is not a documented status`).toBeDefined();
      // Cancelling a completed artifact is refused by the cancel handler itself: proof enough.
      if (route.path.endsWith('/cancel')) expect(response.status, where).toBe(409);
      else expect(response.status, where).toBeLessThan(400);
      expect(response.headers.get('x-request-id'), where).toBeTruthy();
      const type = response.headers.get('content-type')?.split(';')[0] ?? '';
      if (type === 'text/event-stream') {
        abort.abort();
        continue;
      }
      const body = await response.arrayBuffer();
      if (!type.endsWith('json') || response.status === 204) continue;
      const schema = answer!.content?.[type]?.schema;
      expect(schema, `${where}: no schema for ${type}`).toBeDefined();
      const validate = ajv.compile({ ...schema, components: doc.components });
      const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
      expect(validate(json), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('answers errors with the problem document it documents, a 416 included', async () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile({ ...doc.components.schemas['Problem']!, components: {} });
    const response = await fetch(`${server.url}/artifacts/doc/data/out-0.txt`, {
      headers: { range: 'bytes=100-200' },
    });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('content-range')).toBe('bytes */8');
    const problem = (await response.json()) as { code: string };
    expect(validate(problem)).toBe(true);
    expect(problem.code).toBe('RANGE_NOT_SATISFIABLE');
    const operation = doc.paths['/artifacts/{name}/data/{path}']!['get']!;
    expect(operation.responses['416']!.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
  });
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('gives every operation its path parameters, a problem document for errors and X-Request-Id', () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
        const described = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
        expect(described, where).toEqual(inPath);
        expect(Object.keys(operation.responses), where).toContain('default');
        for (const [status, answer] of Object.entries(operation.responses)) {
          expect(answer.headers, `${where} ${status}`).toHaveProperty('X-Request-Id');
          if (status === 'default' || (Number(status) >= 400 && path !== '/health'))
            expect(Object.keys(answer.content ?? {}), `${where} ${status}`).toEqual([
              'application/problem+json',
            ]);
        }
      }
    }
  });
});
