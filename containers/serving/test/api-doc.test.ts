import { Validator } from '@seriousme/openapi-schema-validator';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServingServer, type RunningServingServer } from '../dist/index.js';
import { call } from './support/http.js';

// docs/api.md, "Serving container": its two tables (the Open Inference Protocol's routes and
// Kiln's own) list exactly what the serving container serves and describes in /openapi.json,
// with the query parameters they name; the contract's feedback and retraining routes, which
// the page says are not served yet, are indeed not served.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface DocRoute {
  method: string;
  path: string;
  meaning: string;
}

interface Operation {
  parameters: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: object }>;
}

interface OpenApiDocument {
  // Read as the validator takes it: any JSON object.
  [member: string]: unknown;
  paths: Record<string, Record<string, Operation>>;
}

/** The table rows under `## <heading>` of docs/api.md, up to the next heading. */
async function docRows(heading: string, level = '##'): Promise<DocRoute[]> {
  const text = await readFile(join(ROOT, 'docs/api.md'), 'utf8');
  const section = text.split(`\n${level} ${heading}\n`)[1]?.split(/\n#{2,3} /)[0] ?? '';
  return section
    .split('\n')
    .map((line) => /^\| ([A-Z, ]+?)\s*\| `([^`]+)`\s*\| (.*) \|$/.exec(line))
    .filter((match) => match !== null)
    .flatMap(([, methods = '', path = '', meaning = '']) =>
      methods.split(', ').map((method) => ({ method, path, meaning })),
    );
}

let serving: RunningServingServer;
let dataDir: string;
let served: DocRoute[];
let notServed: DocRoute[];
let doc: OpenApiDocument;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kiln-serving-api-doc-'));
  serving = await startServingServer({ dataDir, port: 0 });
  served = await docRows('Serving container');
  notServed = await docRows('Feedback and retraining (not served yet)', '###');
  doc = (await call<OpenApiDocument>(`${serving.url}/openapi.json`)).body;
});

afterAll(async () => {
  await serving?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('docs/api.md, serving container', () => {
  it('has tables of the routes served and of those not served yet', () => {
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(served).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/v2/models/{model}/infer' }),
    );
    expect(notServed.map((route) => `${route.method} ${route.path}`)).toEqual([
      'GET /models/{model}/policy',
      'PUT /models/{model}/policy',
      'POST /feedback',
      'GET /feedback/stats',
    ]);
  });

  it('lists exactly the routes /openapi.json describes', () => {
    const documented = served.map((route) => `${route.method} ${route.path}`).sort();
    const described = Object.entries(doc.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(described).toEqual(documented);
  });

  it("describes each route's query parameters named in the table", () => {
    for (const route of served) {
      const operation = doc.paths[route.path]![route.method.toLowerCase()]!;
      const named = [...route.meaning.matchAll(/`\?(\w+)=/g)].map(([, name]) => name);
      const described = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      for (const name of named) expect(described, `${route.method} ${route.path}`).toContain(name);
    }
  });

  it('does not serve the routes it says are not served yet', async () => {
    for (const route of notServed) {
      const path = route.path.replace('{model}', 'fashion-mnist');
      const answer = await call<{ code: string }>(`${serving.url}${path}`, {
        method: route.method,
        ...(route.method === 'GET' ? {} : { json: {} }),
      });
      expect([answer.status, answer.body.code], `${route.method} ${route.path}`).toEqual([
        404,
        'ROUTE_NOT_FOUND',
      ]);
    }
  });
});

describe('/openapi.json of the serving container', () => {
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
