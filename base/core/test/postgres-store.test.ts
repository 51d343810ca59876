import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { SILENT_LOGGER } from '@kiln/core';
import type { StoreBackend } from '@kiln/core';
import { openPostgresBackend } from '../src/store/postgres/open-postgres-backend.js';
import { migrate, SCHEMA_VERSION } from '../src/store/postgres/postgres-schema.js';
import { describeStoreContract } from './store-contract.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.mjs';

// One PostgreSQL server for the whole file; each test gets a schema of its own.
let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => server?.stop());

let schemas = 0;
const nextSchema = (): string => `contract_${(schemas += 1)}`;

function open(schema: string, replica: string, leaseMs = 30_000): Promise<StoreBackend> {
  return openPostgresBackend({
    url: server.url,
    schema,
    replica,
    leaseMs,
    logger: SILENT_LOGGER,
  });
}

describeStoreContract(
  'PostgreSQL',
  async () => {
    const schema = nextSchema();
    const opened: StoreBackend[] = [await open(schema, 'replica-a')];
    return {
      backend: opened[0]!,
      openPeer: async (replica) => {
        const peer = await open(schema, replica);
        opened.push(peer);
        return peer;
      },
      dispose: async () => {
        await Promise.all(opened.map((backend) => backend.close()));
      },
    };
  },
  { shared: true },
);

/** A plain connection for looking at, or preparing, the database behind the backend's back. */
async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL: the schema', () => {
  it('is made once when several replicas start at once on an empty database', async () => {
    const schema = nextSchema();
    const backends = await Promise.all(
      Array.from({ length: 4 }, (_, i) => open(schema, `replica-${i}`)),
    );
    await Promise.all(backends.map((backend) => backend.close()));
    const versions = await withClient(async (client) => {
      const { rows } = await client.query<{ version: number }>(
        `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
      );
      return rows.map((row) => row.version);
    });
    expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it("is upgraded in place from an older Kiln's, keeping its rows", async () => {
    const schema = nextSchema();
    await withClient(async (client) => {
      await migrate(client, schema, 1);
      await client.query(
        `INSERT INTO "${schema}".artifacts (name, status, created_at) VALUES ('old', 'queued', 'x')`,
      );
    });
    const backend = await open(schema, 'replica-a');
    try {
      expect(await backend.index.get('old')).toMatchObject({ name: 'old', status: 'queued' });
      const claim = await backend.queue.claim({ owner: 'replica-a', leaseMs: 1000, gpu: null });
      expect(claim?.artifact.name).toBe('old');
      expect(await backend.queue.requestStop('old', 'cancel')).toBe(true);
    } finally {
      await backend.close();
    }
  });

  it('is left alone when a newer Kiln made it, with one clear reason', async () => {
    const schema = nextSchema();
    await withClient(async (client) => {
      await migrate(client, schema);
      await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES (99)`);
    });
    await expect(open(schema, 'replica-a')).rejects.toThrow(
      `the database schema '${schema}' is at version 99, newer than this Kiln knows (${SCHEMA_VERSION}): upgrade Kiln`,
    );
  });

  it('names the database and the reason when it cannot be reached', async () => {
    const error = await openPostgresBackend({
      url: 'postgres://kiln:secret@127.0.0.1:1/kiln',
      schema: 'kiln_x',
      replica: 'r',
      leaseMs: 1000,
      logger: SILENT_LOGGER,
    }).catch((e: unknown) => e as Error & { code: string });
    expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(error.message).toBe(
      'cannot open the database postgres://kiln:***@127.0.0.1:1/kiln: connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
