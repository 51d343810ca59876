import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import net from 'node:net';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { createGateway, type Gateway, type GatewayOptions } from '../src/index.js';
import { startFixtureUpstream, type FixtureUpstream } from './fixtures/fixture-upstream.js';

let alpha: FixtureUpstream;
let beta: FixtureUpstream;
let dashboard: FixtureUpstream;
const opened: Gateway[] = [];

/** The project as the gateway sees it: two containers and a dashboard, on loopback ports. */
function topology(): GatewayOptions['topology'] {
  return {
    services: [
      { name: 'gateway', role: 'gateway', address: 'http://127.0.0.1:1' },
      { name: 'alpha', address: alpha.url },
      { name: 'beta', address: beta.url },
      { name: 'dashboard', role: 'dashboard', address: dashboard.url },
    ],
  };
}

async function start(options: Partial<GatewayOptions> = {}): Promise<string> {
  const gateway = createGateway({ topology: topology(), ...options });
  opened.push(gateway);
  return gateway.listen(0, '127.0.0.1');
}

async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  text: string,
): Promise<string> {
  let seen = '';
  const decoder = new TextDecoder();
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before '${text}'; got '${seen}'`);
    seen += decoder.decode(value, { stream: true });
  }
  return seen;
}

beforeAll(async () => {
  [alpha, beta, dashboard] = await Promise.all([
    startFixtureUpstream(),
    startFixtureUpstream(),
    startFixtureUpstream(),
  ]);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((gateway) => gateway.close()));
});

afterAll(async () => {
  await Promise.all([alpha, beta, dashboard].map((upstream) => upstream.close()));
});

describe('routing', () => {
  it('strips the container prefix and keeps the query', async () => {
    const gateway = await start();
    const response = await fetch(`${gateway}/containers/alpha/echo?x=1&y=2`);
    expect(response.status).toBe(200);
    const echo = (await response.json()) as { url: string; headers: Record<string, string> };
    expect(echo.url).toBe('/echo?x=1&y=2');
    expect(echo.headers['x-forwarded-prefix']).toBe('/containers/alpha');
    expect(echo.headers['x-forwarded-for']).toContain('127.0.0.1');
    expect(echo.headers['x-forwarded-host']).toBe(new URL(gateway).host);
    expect(echo.headers['host']).toBe(new URL(alpha.url).host);
  });

  it('sends /containers/{name} without a slash to the container root', async () => {
    const gateway = await start();
    const seen = once(beta.events, 'request') as Promise<[http.IncomingMessage]>;
    await (await fetch(`${gateway}/containers/beta`)).arrayBuffer();
    expect((await seen)[0].url).toBe('/');
  });

  it('sends / and /pipelines/ to the dashboard unchanged', async () => {
    const gateway = await start();
    const echo = (await (await fetch(`${gateway}/echo`)).json()) as {
      url: string;
      headers: Record<string, string>;
    };
    expect(echo.url).toBe('/echo');
    expect(echo.headers['x-forwarded-prefix']).toBeUndefined();
    const pipelines = await fetch(`${gateway}/pipelines/`);
    expect(pipelines.status).toBe(404); // the fixture's own 404: the request reached the dashboard
    expect(((await pipelines.json()) as { type: string }).type).toBe('/problems/route-not-found');
  });

  it('answers 404 problems for unknown containers and 400 for invalid names', async () => {
    const gateway = await start();
    const unknown = await fetch(`${gateway}/containers/nope/artifacts`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(await unknown.json()).toMatchObject({ status: 404, code: 'CONTAINER_NOT_FOUND' });
    const invalid = await fetch(`${gateway}/containers/a%20b/artifacts`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'INVALID_NAME' });
    const bare = await fetch(`${gateway}/containers/`);
    expect(bare.status).toBe(404);
  });

  it('refuses absolute-form targets, so no request can pick its own upstream', async () => {
    const gateway = new URL(await start());
    const socket = net.connect(Number(gateway.port), gateway.hostname);
    socket.write(
      `GET ${alpha.url}/echo HTTP/1.1\r\nHost: ${gateway.host}\r\nConnection: close\r\n\r\n`,
    );
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers its own health check', async () => {
    const gateway = await start({ token: 'secret' });
    const response = await fetch(`${gateway}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', containers: 2 });
  });
});

describe('links', () => {
  it('rewrites Location and Link headers through the prefix', async () => {
    const gateway = await start();
    const created = await fetch(`${gateway}/containers/alpha/artifacts`, { redirect: 'manual' });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe('/containers/alpha/artifacts/x/');
    expect(created.headers.get('link')).toBe('</containers/alpha/artifacts/x/log>; rel="log"');
    const moved = await fetch(`${gateway}/containers/alpha/absolute-redirect`, {
      redirect: 'manual',
    });
    expect(moved.headers.get('location')).toBe(`${gateway}/containers/alpha/artifacts/y/`);
  });

  it('rewrites container URLs in JSON bodies, both ways', async () => {
    const gateway = await start();
    const links = (await (await fetch(`${gateway}/containers/beta/links`)).json()) as Record<
      string,
      string
    >;
    expect(links['self']).toBe(`${gateway}/containers/beta/artifacts/a/`);
    expect(links['other']).toBe('http://unknown.example:9/a');
    expect(links['longer']).toBe(`${beta.url}0/a`);
    // A compose URL shows as a link through the gateway, whichever container answered.
    expect(links['compose']).toBe(`${gateway}/containers/alpha/artifacts/r/`);
    expect(links['composeLonger']).toBe('http://alpha:80801/r');
    const received = once(alpha.events, 'echo-body') as Promise<[string]>;
    const echo = await fetch(`${gateway}/containers/alpha/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parameters: { data: `${gateway}/containers/beta/artifacts/a/` } }),
    });
    expect(echo.status).toBe(200);
    const [body] = await received;
    // Stored in compose form: the reference works from every container, in every mode.
    expect(JSON.parse(body)).toEqual({ parameters: { data: 'http://beta:8080/artifacts/a/' } });
  });

  it('passes files through byte for byte, JSON ones included', async () => {
    const gateway = await start();
    const file = await fetch(`${gateway}/containers/beta/data/run.json`);
    expect(await file.json()).toEqual({ model: `${beta.url}/artifacts/m/` });
  });

  it('uses the configured public URL when there is one', async () => {
    const gateway = await start({ publicUrl: 'https://kiln.example/' });
    const links = (await (await fetch(`${gateway}/containers/beta/links`)).json()) as Record<
      string,
      string
    >;
    expect(links['self']).toBe('https://kiln.example/containers/beta/artifacts/a/');
  });
});

describe('streaming', () => {
  it('passes a download on before the container has finished sending it', async () => {
    const gateway = await start();
    const response = await fetch(`${gateway}/containers/alpha/download?bytes=1048576`);
    expect(response.headers.get('content-length')).toBe('1048576');
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 524288) received += (await reader.read()).value!.length;
    alpha.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.length;
    }
    expect(received).toBe(1048576);
  });

  it('streams an upload to the container before the client has finished sending it', async () => {
    const gateway = new URL(await start());
    const chunk = Buffer.alloc(256 * 1024, 7);
    const request = http.request({
      host: gateway.hostname,
      port: gateway.port,
      path: '/containers/alpha/upload',
      method: 'POST',
    });
    const response = once(request, 'response') as Promise<[http.IncomingMessage]>;
    const started = once(alpha.events, 'upload-started');
    request.write(chunk);
    await started;
    request.end(chunk);
    const [res] = await response;
    const parts: Buffer[] = [];
    for await (const part of res) parts.push(part as Buffer);
    const expected = createHash('sha256').update(chunk).update(chunk).digest('hex');
    expect(JSON.parse(Buffer.concat(parts).toString())).toEqual({
      bytes: chunk.length * 2,
      sha256: expected,
    });
  });

  it('delivers server-sent events and followed logs as they happen', async () => {
    const gateway = await start({ limits: { idleTimeoutMs: 300 } });
    const opened = once(beta.events, 'stream-open');
    const sse = await fetch(`${gateway}/containers/beta/events`);
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    await opened;
    const logOpened = once(beta.events, 'stream-open');
    const log = await fetch(`${gateway}/containers/beta/log?follow=1`);
    await logOpened;
    const sseReader = sse.body!.getReader();
    const logReader = log.body!.getReader();
    beta.emit('{"status":"in-progress"}');
    expect(await readUntil(sseReader, '\n\n')).toBe(
      'event: artifact\ndata: {"status":"in-progress"}\n\n',
    );
    expect(await readUntil(logReader, '\n')).toBe('{"status":"in-progress"}\n');
    // Longer than the idle limit: live streams are exempt from it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    beta.emit('second');
    expect(await readUntil(logReader, 'second\n')).toBe('second\n');
    beta.release();
    expect((await logReader.read()).done).toBe(true);
    await sseReader.cancel();
  });
});

describe('failures', () => {
  it('answers 502 while a container is down, stays up, and recovers', async () => {
    const spare = await startFixtureUpstream();
    const port = spare.port;
    const gateway = createGateway({
      topology: { services: [{ name: 'spare', address: spare.url }] },
    });
    opened.push(gateway);
    const url = await gateway.listen();
    expect((await fetch(`${url}/containers/spare/health`)).status).toBe(200);
    await spare.close();
    const down = await fetch(`${url}/containers/spare/health`);
    expect(down.status).toBe(502);
    expect(down.headers.get('content-type')).toBe('application/problem+json');
    expect(await down.json()).toMatchObject({ status: 502, code: 'CONTAINER_UNAVAILABLE' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const back = await startFixtureUpstream(port);
    try {
      expect((await fetch(`${url}/containers/spare/health`)).status).toBe(200);
    } finally {
      await back.close();
    }
  });

  it('answers 504 when a container does not answer in time', async () => {
    const gateway = await start({ limits: { idleTimeoutMs: 200 } });
    const response = await fetch(`${gateway}/containers/alpha/slow`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ status: 504, code: 'CONTAINER_UNAVAILABLE' });
  });

  it('cuts the response when a container dies mid-answer', async () => {
    const gateway = await start();
    await expect((await fetch(`${gateway}/containers/alpha/die`)).text()).rejects.toThrow();
    expect((await fetch(`${gateway}/containers/alpha/health`)).status).toBe(200);
  });

  it('refuses bodies over the size limit, declared or chunked', async () => {
    const gateway = new URL(await start({ limits: { maxBodyBytes: 1000 } }));
    const declared = await fetch(`${gateway.origin}/containers/alpha/upload`, {
      method: 'POST',
      body: Buffer.alloc(2000),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const request = http.request({
      host: gateway.hostname,
      port: gateway.port,
      path: '/containers/alpha/upload',
      method: 'POST',
    });
    const response = once(request, 'response') as Promise<[http.IncomingMessage]>;
    request.write(Buffer.alloc(600));
    request.end(Buffer.alloc(600));
    const [res] = await response;
    expect(res.statusCode).toBe(413);
    res.resume();
    const small = await fetch(`${gateway.origin}/containers/alpha/upload`, {
      method: 'POST',
      body: Buffer.alloc(900),
    });
    expect(await small.json()).toMatchObject({ bytes: 900 });
  });

  it('refuses protocol upgrades', async () => {
    const gateway = new URL(await start());
    const socket = net.connect(Number(gateway.port), gateway.hostname);
    socket.write(
      `GET /containers/alpha/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1\.1 501 /);
  });
});

describe('token', () => {
  it('requires the bearer token and strips it before forwarding', async () => {
    const gateway = await start({ token: 's3cret' });
    const anonymous = await fetch(`${gateway}/containers/alpha/echo`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="kiln"');
    expect(await anonymous.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const wrong = await fetch(`${gateway}/containers/alpha/echo`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${gateway}/containers/alpha/echo`, {
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(right.status).toBe(200);
    const echo = (await right.json()) as { headers: Record<string, string> };
    expect(echo.headers['authorization']).toBeUndefined();
    expect((await fetch(`${gateway}/pipelines/`)).status).toBe(401);
  });

  it('signs in with a session cookie and signs out', async () => {
    const gateway = await start({ token: 's3cret' });
    const refused = await fetch(`${gateway}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'wrong' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const signIn = await fetch(`${gateway}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 's3cret' }),
    });
    expect(signIn.status).toBe(204);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^kiln_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain('s3cret');
    const cookie = setCookie.split(';')[0]!;
    const status = await (await fetch(`${gateway}/auth/session`, { headers: { cookie } })).json();
    expect(status).toEqual({ required: true, authenticated: true });
    const through = await fetch(`${gateway}/containers/alpha/echo`, {
      headers: { cookie: `other=1; ${cookie}` },
    });
    expect(through.status).toBe(200);
    expect(((await through.json()) as { headers: Record<string, string> }).headers['cookie']).toBe(
      'other=1',
    );
    const signOut = await fetch(`${gateway}/auth/session`, {
      method: 'DELETE',
      headers: { cookie },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(
      (
        await fetch(`${gateway}/containers/alpha/echo`, {
          headers: { cookie: 'kiln_session=forged' },
        })
      ).status,
    ).toBe(401);
  });

  it('lets a plain HTML form sign in, and sends signed-out browsers to the sign-in page', async () => {
    const gateway = await start({ token: 's3cret' });
    const page = await fetch(`${gateway}/runs/a?tab=log`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/signin?next=%2Fruns%2Fa%3Ftab%3Dlog');
    // Open without a token: the request reaches the dashboard (the fixture's 404 names it).
    const signInPage = await fetch(`${gateway}/signin?next=%2F`);
    expect(((await signInPage.json()) as { instance: string }).instance).toBe('/signin?next=%2F');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await fetch(`${gateway}/auth/session`, {
      method: 'POST',
      headers: form,
      body: 'token=bad&next=%2Fruns',
      redirect: 'manual',
    });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/signin?error=invalid-token&next=%2Fruns');
    const right = await fetch(`${gateway}/auth/session`, {
      method: 'POST',
      headers: form,
      body: 'token=s3cret&next=%2Fruns',
      redirect: 'manual',
    });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/runs');
    expect(right.headers.get('set-cookie')).toContain('HttpOnly');
    const offsite = await fetch(`${gateway}/auth/session`, {
      method: 'POST',
      headers: form,
      body: 'token=s3cret&next=%2F%2Fevil.example',
      redirect: 'manual',
    });
    expect(offsite.headers.get('location')).toBe('/');
  });

  it('lets everything through when no token is set', async () => {
    const gateway = await start();
    expect((await fetch(`${gateway}/containers/alpha/echo`)).status).toBe(200);
    expect(await (await fetch(`${gateway}/auth/session`)).json()).toEqual({
      required: false,
      authenticated: true,
    });
  });
});
