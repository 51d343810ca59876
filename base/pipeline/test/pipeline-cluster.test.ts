import type { ArtifactSummary, RunDocument, StepInfo } from '@kiln/api';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line import-x/no-relative-packages -- the PostgreSQL server of core's cluster tests, shared rather than copied
import { startPostgres, type TestPostgres } from '../../core/test/support/postgres-server.mjs';
import { fixture, startEchoProject, type EchoProject } from './echo-project.js';
import { http, startRun, waitFinal, waitForLog } from './http-helpers.js';
import { serveModule, type ServedProcess } from './serve-process.js';

// A pipeline container in cluster mode: its runs are artifacts of a tool container, so two
// replicas on one PostgreSQL database and one folder share them, and a run whose replica is
// killed is taken over by the other when its lease runs out.

let project: EchoProject;
let database: TestPostgres;
const served: ServedProcess[] = [];

beforeAll(async () => {
  [project, database] = await Promise.all([startEchoProject('pipeline-cluster'), startPostgres()]);
});
afterAll(async () => {
  await Promise.all(served.map((process) => process.kill()));
  await database?.stop();
  await project?.close();
});

async function replica(dataDir: string): Promise<ServedProcess> {
  const started = await serveModule(fixture('chain-pipeline.mjs'), dataDir, {
    ...project.env,
    KILN_DATABASE_URL: database.url,
    KILN_LEASE_MS: '1000',
  });
  served.push(started);
  return started;
}

describe('a pipeline container with two replicas', () => {
  it('finishes a run on the survivor after the replica running it is killed', async () => {
    const dataDir = join(project.root, 'shared-runs');
    await mkdir(dataDir, { recursive: true });
    const gate = join(project.root, 'cluster-gate');
    const first = await replica(dataDir);
    await startRun(first.url, 'clustered', { gateAt: 3, gate, salt: 'clustered' });
    await waitForLog(`${first.url}/runs/clustered`, '[s3] waiting for');
    const second = await replica(dataDir);
    // The other replica serves the run while the first builds it.
    const steps = await http(`${second.url}/runs/clustered/steps`).json<StepInfo[]>();
    expect(steps.map((step) => step.step)).toEqual(['s1', 's2', 's3']);
    await first.kill();
    const run = `${second.url}/runs/clustered`;
    await waitForLog(run, '[s3] waiting for', 2);
    await writeFile(gate, '');
    const summary: ArtifactSummary = await waitFinal(run);
    expect(summary).toMatchObject({ status: 'completed', attempt: 2 });
    const document = await http(`${run}/data`).json<RunDocument>();
    expect(document.figures).toMatchObject({ length: 6 });
    expect(await http(`${run}/log`).text()).toContain('[s1] reusing clustered-s1');
  });
});
