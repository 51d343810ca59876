import type { ArtifactRecord } from '@kiln/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, postJson, startServer, waitFinal } from './helpers.js';

// Two tool containers: `producer`, and `consumer`, which knows the project's topology and so
// reaches `http://producer:8080` (the name docker-compose.yml gives it) on its loopback port.
// The reference is checked by the server and its data fetched by the mule, both through it.
let producer: Awaited<ReturnType<typeof startServer>>;
let consumer: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  producer = await startServer('echo-tool.mjs');
  consumer = await startServer('echo-tool.mjs', {
    topology: {
      services: [
        { name: 'producer', address: producer.url },
        { name: 'consumer', address: 'http://127.0.0.1:1' },
      ],
    },
  });
  await create(producer.url, { name: 'nested', parameters: { text: 'made', nested: true } });
  await create(producer.url, { name: 'single', parameters: { text: 'one' } });
  await waitFinal(producer.url, 'nested');
  await waitFinal(producer.url, 'single');
});

afterAll(async () => {
  await consumer?.stop();
  await producer?.stop();
});

describe('artifact references in compose form', () => {
  it('resolve through the topology, in the server and in the mule', async () => {
    const reference = 'http://producer:8080/artifacts/nested/';
    await create(consumer.url, { name: 'from-compose', parameters: { source: reference } });
    const summary = await waitFinal(consumer.url, 'from-compose');
    expect(summary).toMatchObject({ status: 'completed', error: null });
    const data = await fetch(`${consumer.url}/artifacts/from-compose/data/from-source.txt`);
    expect(await data.text()).toBe('made 0\n');
    const record = (await (
      await fetch(`${consumer.url}/artifacts/from-compose/`)
    ).json()) as ArtifactRecord;
    const nested = (await (
      await fetch(`${producer.url}/artifacts/nested/`)
    ).json()) as ArtifactRecord;
    // The record keeps the reference as given: the compose form, valid in every mode.
    expect(record.inputs).toEqual([{ parameter: 'source', url: reference, digest: nested.digest }]);
    expect(record.parameters['source']).toBe(reference);
    const log = await (await fetch(`${consumer.url}/artifacts/from-compose/log`)).text();
    expect(log).toContain(`fetching input 'source' from ${reference}`);
  });

  it('give a build a folder with the data, a single file included', async () => {
    await create(consumer.url, {
      name: 'from-single',
      parameters: { source: 'http://producer:8080/artifacts/single' },
    });
    expect((await waitFinal(consumer.url, 'from-single')).status).toBe('completed');
    const data = await fetch(`${consumer.url}/artifacts/from-single/data/from-source.txt`);
    expect(await data.text()).toBe('one 0\n');
  });

  it('refuse with 422 a URL that names no artifact, and a service that does not answer', async () => {
    for (const [source, code, message] of [
      ['http://producer:8080/health', 'VALIDATION_FAILED', /kiln-artifact/],
      [
        'http://consumer:8080/artifacts/nested/',
        'INPUT_ARTIFACT_UNAVAILABLE',
        /cannot reach http:\/\/127\.0\.0\.1:1/,
      ],
    ] as const) {
      const response = await postJson(`${consumer.url}/artifacts`, { parameters: { source } });
      expect(response.status, source).toBe(422);
      const problem = (await response.json()) as {
        code: string;
        errors: Array<{ path: string; message: string }>;
      };
      expect(problem.code).toBe(code);
      expect(problem.errors[0]).toMatchObject({ path: '/source', message });
    }
  });
});
