import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  create,
  postJson,
  rawGet,
  rawRequest,
  startServer,
  waitFinal,
  type RawAnswer,
} from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let base: string;

beforeAll(async () => {
  server = await startServer('echo-tool.mjs', { maxUploadBytes: 1024 });
  base = server.url;
  await create(base, { name: 'target', parameters: { nested: true } });
  await create(base, { name: 'single' });
  await waitFinal(base, 'target');
  await waitFinal(base, 'single');
});
afterAll(async () => server.stop());

async function expectProblem(
  response: Response,
  status: number,
  code?: string,
): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({
    status,
    type: expect.stringMatching(/^\/problems\//),
    title: expect.any(String),
  });
  if (code) expect(problem['code']).toBe(code);
  return problem;
}

describe('path traversal', () => {
  const attempts = [
    '/artifacts/target/data/../../kiln.db',
    '/artifacts/target/data/..%2F..%2Fkiln.db',
    '/artifacts/target/data/%2e%2e/%2e%2e/kiln.db',
    '/artifacts/target/data/%252e%252e/%252e%252e/kiln.db',
    '/artifacts/target/data/sub/..%5C..%5Cfiles.json',
    '/artifacts/target/data/sub/%00x',
    '/artifacts/target/data/./sub/y.txt',
    '/artifacts/../artifacts/target/',
    '/artifacts/%2e%2e/status',
    '/artifacts/target/input-files/..%2F..%2Fparameters.json',
    '/artifacts/target/metrics/..%2Floss/values',
  ];
  for (const path of attempts) {
    it(`refuses ${path} with a problem, never a file`, async () => {
      const response = await rawGet(base, path);
      expect([400, 404]).toContain(response.status);
      expect(response.type).toMatch(/^application\/problem\+json/);
      expect(response.body).not.toContain('SQLite');
    });
  }

  it('refuses a symlink that leaves the artifact folder', async () => {
    const { symlink } = await import('node:fs/promises');
    await symlink('/etc/passwd', join(server.dataDir, 'artifacts', 'target', 'data', 'escape'));
    const response = await fetch(`${base}/artifacts/target/data/escape`);
    await expectProblem(response, 404);
  });
});

describe('malformed and oversized bodies', () => {
  it('answers malformed JSON with a 400 problem', async () => {
    const response = await fetch(`${base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    await expectProblem(response, 400, 'MALFORMED_JSON');
  });

  it('answers a non-object body, unknown fields and bad types with 400', async () => {
    await expectProblem(await postJson(`${base}/artifacts`, [1, 2]), 400);
    await expectProblem(await postJson(`${base}/artifacts`, { bogus: true }), 400, 'UNKNOWN_FIELD');
    await expectProblem(await postJson(`${base}/artifacts`, { cache: 'yes' }), 400);
    await expectProblem(await postJson(`${base}/artifacts`, { name: 42 }), 400);
  });

  it('answers invalid names with 400 before touching any file', async () => {
    for (const name of ['../x', '.hidden', 'a/b', 'x'.repeat(129), '', 'a b']) {
      await expectProblem(await postJson(`${base}/artifacts`, { name }), 400, 'INVALID_NAME');
    }
    const folders = await readdir(join(server.dataDir, 'artifacts'));
    expect(folders.sort()).toEqual(['single', 'target']);
  });

  it('answers invalid parameters with 422 and JSON-pointer paths', async () => {
    const problem = await expectProblem(
      await postJson(`${base}/artifacts`, { parameters: { files: 0, epochs: 'x', bogus: 1 } }),
      422,
      'VALIDATION_FAILED',
    );
    expect(problem['errors']).toEqual(
      expect.arrayContaining([
        { path: '/files', message: expect.any(String) },
        { path: '/epochs', message: expect.any(String) },
        { path: '/bogus', message: 'is not a known parameter' },
      ]),
    );
  });

  it('answers a JSON body over 1 MiB with 413 and creates nothing', async () => {
    const response = await postJson(`${base}/artifacts`, {
      name: 'huge',
      parameters: { text: 'x'.repeat(1_100_000) },
    });
    await expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    expect((await fetch(`${base}/artifacts/huge`)).status).toBe(404);
  });

  it('answers an upload over the limit with 413 and leaves no file behind', async () => {
    const form = new FormData();
    form.set('name', 'too-big');
    form.set('notes', new Blob([Buffer.alloc(4096, 1)]), 'big.bin');
    await expectProblem(
      await fetch(`${base}/artifacts`, { method: 'POST', body: form }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect((await fetch(`${base}/artifacts/too-big`)).status).toBe(404);
    // Uploads land in a folder of this server's own (uploads/<replica>/): nothing may be left.
    const left = await readdir(join(server.dataDir, 'uploads'), {
      recursive: true,
      withFileTypes: true,
    });
    expect(left.filter((entry) => !entry.isDirectory()).map((entry) => entry.name)).toEqual([]);
  });

  it('answers malformed multipart with 400', async () => {
    const response = await fetch(`${base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc\r\n--XYZ\r\nContent-Disposition: form-data; name="notes"; filename="a"\r\n\r\nunterminated',
    });
    await expectProblem(response, 400);
    expect((await fetch(`${base}/artifacts/abc`)).status).toBe(404);
  });

  it('answers an unknown file part or field with 400, bad parameters JSON with 400', async () => {
    const unknownFile = new FormData();
    unknownFile.set('other', new Blob(['x']), 'x.txt');
    await expectProblem(
      await fetch(`${base}/artifacts`, { method: 'POST', body: unknownFile }),
      400,
      'UNKNOWN_FIELD',
    );
    const unknownField = new FormData();
    unknownField.set('colour', 'blue');
    await expectProblem(
      await fetch(`${base}/artifacts`, { method: 'POST', body: unknownField }),
      400,
      'UNKNOWN_FIELD',
    );
    const badParameters = new FormData();
    badParameters.set('parameters', '{not json');
    await expectProblem(
      await fetch(`${base}/artifacts`, { method: 'POST', body: badParameters }),
      400,
      'MALFORMED_JSON',
    );
  });

  it('refuses a taken name in multipart before storing the file', async () => {
    const form = new FormData();
    form.set('name', 'target');
    form.set('notes', new Blob(['x']), 'x.txt');
    await expectProblem(
      await fetch(`${base}/artifacts`, { method: 'POST', body: form }),
      409,
      'ARTIFACT_EXISTS',
    );
  });

  it('answers other content types with 415', async () => {
    const response = await fetch(`${base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('routes, methods and queries', () => {
  it('answers an unserved method with 405 and Allow', async () => {
    const response = await fetch(`${base}/artifacts/target/`, { method: 'PUT' });
    await expectProblem(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.get('allow')).toBe('GET, HEAD, DELETE');
  });

  it('answers unknown routes and artifacts with 404 problems', async () => {
    await expectProblem(await fetch(`${base}/nope`), 404, 'ROUTE_NOT_FOUND');
    await expectProblem(await fetch(`${base}/artifacts/missing/log`), 404, 'ARTIFACT_NOT_FOUND');
  });

  it('refuses bad query values with 400', async () => {
    for (const query of [
      'status?wait=61',
      'status?wait=-1',
      'status?wait=abc',
      'log?offset=-5',
      'log?offset=1.5',
      'data?format=tar',
    ]) {
      await expectProblem(await fetch(`${base}/artifacts/target/${query}`), 400, 'INVALID_QUERY');
    }
    await expectProblem(await fetch(`${base}/artifacts?status=done`), 400, 'INVALID_QUERY');
  });

  it('accepts fractional waits and treats a trailing slash as the same resource', async () => {
    expect((await fetch(`${base}/artifacts/target/status?wait=0.01`)).status).toBe(200);
    expect(await (await fetch(`${base}/artifacts/target`)).json()).toEqual(
      await (await fetch(`${base}/artifacts/target/`)).json(),
    );
  });
});

describe('bodies of any depth and any number', () => {
  const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
  const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it('answers parameters nested 20,000 levels deep with a 400, never a 5xx', async () => {
    for (const body of [
      `{"parameters": {"text": ${arrays(20_000)}}}`,
      `{"parameters": ${objects(20_000)}}`,
      `{"name": "deep", "parameters": {"text": ${arrays(400_000)}}}`,
      arrays(20_000),
    ]) {
      const response = await fetch(`${base}/artifacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const problem = await expectProblem(response, 400, 'NESTING_TOO_DEEP');
      expect(problem['detail']).toMatch(/nests deeper than 64 levels/);
    }
    expect((await fetch(`${base}/artifacts/deep`)).status).toBe(404);
  });

  it('answers a multipart parameters field nested 20,000 levels deep with a 400', async () => {
    const form = new FormData();
    form.set('parameters', `{"text": ${arrays(20_000)}}`);
    await expectProblem(
      await fetch(`${base}/artifacts`, { method: 'POST', body: form }),
      400,
      'NESTING_TOO_DEEP',
    );
  });

  it('still validates parameters nested within the limit (a 422, not a 400)', async () => {
    await expectProblem(
      await postJson(`${base}/artifacts`, { parameters: JSON.parse(objects(60)) }),
      422,
      'VALIDATION_FAILED',
    );
  });

  it('refuses a number too large for a double, which would be stored as null', async () => {
    const problem = await expectProblem(
      await fetch(`${base}/artifacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"parameters": {"epochs": 1e400}}',
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(problem['errors']).toEqual([{ path: '/epochs', message: 'must be a finite number' }]);
  });
});

describe('ranges', () => {
  const file = (): string => `${base}/artifacts/target/data/sub/y.txt`;
  const ranged = (range: string, extra: Record<string, string> = {}): Promise<Response> =>
    fetch(file(), { headers: { range, ...extra } });

  it('answers an unsatisfiable or malformed Range with a 416 problem and Content-Range', async () => {
    for (const range of ['bytes=-0', 'bytes=5-1', 'bytes=1-', 'garbage', 'bytes=', 'bytes=x-y']) {
      const response = await ranged(range);
      await expectProblem(response, 416, 'RANGE_NOT_SATISFIABLE');
      expect(response.headers.get('content-range')).toBe('bytes */1');
    }
    // The whole /data of a one-file artifact honours Range the same way.
    const single = await fetch(`${base}/artifacts/single/data`, { headers: { range: 'bytes=9-' } });
    await expectProblem(single, 416, 'RANGE_NOT_SATISFIABLE');
    expect(single.headers.get('content-range')).toBe(`bytes */${'hello 0\n'.length}`);
  });

  it('serves one range as 206, and ignores other units and a stale If-Range', async () => {
    const part = await fetch(`${base}/artifacts/single/data`, { headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 1-3/8');
    expect(await part.text()).toBe('ell');
    for (const response of [
      await ranged('items=0-0'),
      await ranged('garbage', { 'if-range': '"not-the-etag"' }),
    ]) {
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('y');
    }
  });

  it('answers If-None-Match with a list or * as 304', async () => {
    const etag = (await fetch(file())).headers.get('etag')!;
    for (const header of ['*', `"other", ${etag}`, `W/${etag}`]) {
      expect((await fetch(file(), { headers: { 'if-none-match': header } })).status).toBe(304);
    }
  });
});

describe('requests express never sees', () => {
  const expectRawProblem = (answer: RawAnswer, status: number, code: string): void => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status, code });
  };

  it('answers headers over the limit with a 431 problem', async () => {
    const answer = await rawRequest(
      base,
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectRawProblem(answer, 431, 'HEADERS_TOO_LARGE');
    expectRawProblem(
      await rawRequest(base, `GET /artifacts/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      431,
      'HEADERS_TOO_LARGE',
    );
  });

  it('answers what cannot be parsed as HTTP with a 400 problem', async () => {
    for (const text of [
      'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n',
      'hello world\r\n\r\n',
      'POST /artifacts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
      'POST /artifacts HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n',
    ]) {
      expectRawProblem(await rawRequest(base, text), 400, 'BAD_REQUEST');
    }
  });

  it('answers an unmet Expect with a 417 problem and CONNECT with a 405 problem', async () => {
    expectRawProblem(
      await rawRequest(
        base,
        'POST /artifacts HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      ),
      417,
      'BAD_REQUEST',
    );
    const connect = await rawRequest(base, 'CONNECT example.org:443 HTTP/1.1\r\nHost: x\r\n\r\n');
    expectRawProblem(connect, 405, 'METHOD_NOT_ALLOWED');
    expect(connect.headers['allow']).toBe('GET, HEAD, POST, DELETE');
  });
});

describe('other headers', () => {
  it('labels an unsupported charset or encoding as a 415 of that kind', async () => {
    for (const headers of [
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json', 'content-encoding': 'bogus' },
    ]) {
      await expectProblem(
        await fetch(`${base}/artifacts`, { method: 'POST', headers, body: '{}' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('refuses a multipart body that names no boundary', async () => {
    const response = await fetch(`${base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=' },
      body: 'x',
    });
    await expectProblem(response, 400, 'MALFORMED_MULTIPART');
  });

  it('echoes a request id that looks like one, and replaces any other', async () => {
    const echoed = await fetch(`${base}/health`, { headers: { 'x-request-id': 'trace-42.a:b' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a:b');
    const replaced = await fetch(`${base}/health`, {
      headers: { 'x-request-id': 'x'.repeat(500) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
