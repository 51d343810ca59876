import {
  buildOpenApiDocument,
  mountRoutes,
  notFoundHandler,
  openToolService,
  problemHandler,
  SILENT_LOGGER,
  type ToolService,
} from '@kiln/core';
import type { ArtifactSummary } from '@kiln/api';
import express from 'express';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers.js';

// A tool embedded in another container's app (as the serving container embeds its snapshots):
// its artifact API mounted among the container's own routes, its builds given the settings.
let dataDir: string;
let service: ToolService;
let server: Server;
let base: string;

beforeAll(async () => {
  dataDir = await tempDir('kiln-tool-service-');
  service = await openToolService({
    modulePath: join(FIXTURES, 'settings-tool.mjs'),
    dataDir,
    settings: { database: '/somewhere/own.db', depth: 2 },
  });
  const app = express();
  const router = express.Router();
  const own = [
    {
      method: 'get' as const,
      path: '/',
      operationId: 'describe',
      summary: 'the container',
      responses: { '200': 'it' },
      handler: (_req: express.Request, res: express.Response) => {
        res.json({ kind: 'host', artifactType: service.description.artifactType });
      },
    },
  ];
  const routes = [...own, ...service.routes];
  mountRoutes(router, routes);
  app.use(router);
  app.use(notFoundHandler());
  app.use(problemHandler(SILENT_LOGGER));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const document = buildOpenApiDocument({ title: 'host', version: '1', description: 'x' }, routes, {
    ...service.schemas,
  });
  expect(Object.keys(document['paths'] as object)).toContain('/artifacts/{name}');
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await service?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('openToolService', () => {
  it('serves the artifact API among the host’s routes, and gives builds the settings', async () => {
    expect((await (await fetch(`${base}/`)).json()) as object).toEqual({
      kind: 'host',
      artifactType: 'json',
    });
    const created = await fetch(`${base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a', parameters: { note: 'by http' } }),
    });
    expect(created.status).toBe(202);
    const done = (await (
      await fetch(`${base}/artifacts/a/status?wait=30`)
    ).json()) as ArtifactSummary;
    expect(done.status).toBe('completed');
    expect(await (await fetch(`${base}/artifacts/a/data/settings.json`)).json()).toEqual({
      settings: { database: '/somewhere/own.db', depth: 2 },
      note: 'by http',
    });
    expect((await fetch(`${base}/health`)).status).toBe(404);
  });

  it('creates artifacts in code, tells their changes, and counts them', async () => {
    const seen: string[] = [];
    const stop = service.onArtifact((summary) => seen.push(`${summary.name} ${summary.status}`));
    const finished = new Promise<void>((resolve) => {
      const off = service.onArtifact((summary) => {
        if (summary.name === 'b' && summary.status === 'completed') {
          off();
          resolve();
        }
      });
    });
    const created = await service.create({ name: 'b' });
    expect(created).toMatchObject({ name: 'b', status: 'queued' });
    await finished;
    stop();
    expect(seen).toContain('b completed');
    expect(await service.summary('b')).toMatchObject({ status: 'completed' });
    expect(await service.summary('nope')).toBeNull();
    await expect(service.create({ name: 'b' })).rejects.toMatchObject({ code: 'ARTIFACT_EXISTS' });
    await expect(service.create({ parameters: { note: 3 } })).rejects.toMatchObject({
      status: 422,
    });
    expect(await service.health()).toEqual({ queued: 0, running: 0, workers: 1, problem: null });
  });
});
