import type {
  ArtifactSummary,
  ContainerArtifactSummary,
  ContainerInfo,
  RunDocument,
  StepInfo,
  TaskDescription,
  ToolDescription,
} from '@kiln/api';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, freePort, startEchoProject, type EchoProject } from './echo-project.js';
import { http, startRun, waitFinal, waitForLog, watchEvents } from './http-helpers.js';
import { serveModule, type ServedProcess } from './serve-process.js';

let project: EchoProject;
let root: string;
let tools: EchoProject['tools'];
let pipeline: ServedProcess;
let env: Record<string, string>;

beforeAll(async () => {
  project = await startEchoProject('pipeline');
  ({ root, tools, env } = project);
  pipeline = await serveModule(fixture('chain-pipeline.mjs'), join(root, 'pipeline'), env);
});

afterAll(async () => {
  await pipeline?.stop();
  await project?.close();
});

const toolOf = (step: number) => project.toolOf(step);
const stepStatus = (step: number, artifact: string): Promise<ArtifactSummary> =>
  http(`${toolOf(step).url}/artifacts/${artifact}/status`).json<ArtifactSummary>();

describe('pipeline container', () => {
  it('describes itself, its task and its containers', async () => {
    const description = await http(`${pipeline.url}/`).json<ToolDescription>();
    expect(description).toMatchObject({ kind: 'pipeline', name: 'chain', artifactType: 'run' });
    expect(description.parameters).toHaveProperty(['properties', 'cache', 'default'], true);
    const task = await http(`${pipeline.url}/task`).json<TaskDescription>();
    expect(task.name).toBe('org.kiln.test.chain');
    expect(Object.keys(task)).toHaveLength(8);
    const containers = await http(`${pipeline.url}/containers`).json<ContainerInfo[]>();
    expect(containers.map((c) => [c.name, c.category, c.healthy, c.artifactType])).toEqual([
      ['s1', 'data', true, 'chain'],
      ['s2', 'data', true, 'chain'],
      ['s3', 'data', true, 'chain'],
      ['s4', 'data', true, 'chain'],
      ['s5', 'model', true, 'chain'],
      ['s6', 'benchmark', true, 'chain'],
    ]);
    // In compose form: the URL that works from every container of the project.
    expect(containers[1]!.url).toBe('http://s2:8080');
    const post = await http.post(`${pipeline.url}/task`);
    expect(post.statusCode).toBe(405);
    expect(post.headers['content-type']).toMatch(/problem\+json/);
  });

  it('runs six steps in a chain, copying logs and recording steps and figures', async () => {
    const run = await startRun(pipeline.url, 'first');
    const summary = await waitFinal(run);
    expect(summary).toMatchObject({ status: 'completed', progress: 1 });
    const document = await http(`${run}/data`).json<RunDocument>();
    expect(document.figures).toEqual({ chain: ['s1', 's2', 's3', 's4', 's5', 's6'], length: 6 });
    expect(document.task).toBe('org.kiln.test.chain');
    expect(document.artifacts['s3']).toBe('http://s3:8080/artifacts/first-s3/');
    // …and where a person finds it through the project's gateway.
    expect(document.links['s3']).toBe('/containers/s3/artifacts/first-s3/');
    const steps = await http(`${run}/steps`).json<StepInfo[]>();
    expect(steps.map((s) => [s.step, s.container, s.artifact, s.status, s.cached])).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => [`s${i}`, `s${i}`, `first-s${i}`, 'completed', false]),
    );
    expect(steps.every((s) => s.startedAt && s.finishedAt)).toBe(true);
    expect(document.steps).toEqual(steps);
    // The consumed reference is the previous step's artifact on the other container.
    const record = await http(`${toolOf(4).url}/artifacts/first-s4/`).json<{
      inputs: { url: string }[];
    }>();
    expect(record.inputs.map((input) => input.url)).toEqual(['http://s3:8080/artifacts/first-s3/']);
    const log = await http(`${run}/log`).text();
    expect(log).toContain('[s3] building s3');
    expect(log).toContain('[s6] done s6 ünïcode');
    const figures = await http(`${run}/metrics/figures/json`).json<unknown>();
    expect(figures).toEqual(document.figures);
  });

  it('lists every container’s artifacts with their container', async () => {
    const all = await http(`${pipeline.url}/artifacts`, {
      searchParams: { status: 'completed' },
    }).json<ContainerArtifactSummary[]>();
    const firsts = all.filter((a) => a.name.startsWith('first-'));
    // Two tool servers stand behind six names, so each artifact shows under three containers.
    expect(new Set(firsts.map((a) => a.name)).size).toBe(6);
    expect(firsts.find((a) => a.name === 'first-s2' && a.container === 's2')).toBeDefined();
    expect(all.every((a) => a.status === 'completed')).toBe(true);
    const sorted = [...all].sort((x, y) => y.createdAt.localeCompare(x.createdAt));
    expect(all.map((a) => a.createdAt)).toEqual(sorted.map((a) => a.createdAt));
    const bad = await http(`${pipeline.url}/artifacts`, { searchParams: { status: 'bogus' } });
    expect(bad.statusCode).toBe(400);
  });

  it('reuses every step from the cache on a re-run, and not when the run turns the cache off', async () => {
    const cachedRun = await startRun(pipeline.url, 'again');
    expect((await waitFinal(cachedRun)).status).toBe('completed');
    const cachedSteps = await http(`${cachedRun}/steps`).json<StepInfo[]>();
    expect(cachedSteps.map((s) => s.cached)).toEqual([true, true, true, true, true, true]);
    expect((await stepStatus(6, 'again-s6')).cachedFrom).toBe('first-s6');

    const fresh = await startRun(pipeline.url, 'fresh', { cache: false, steps: 2 });
    expect((await waitFinal(fresh)).status).toBe('completed');
    const freshSteps = await http(`${fresh}/steps`).json<StepInfo[]>();
    expect(freshSteps.map((s) => s.cached)).toEqual([false, false]);
  });

  it('fails the run with the error of a failing step, and runs no later step', async () => {
    const run = await startRun(pipeline.url, 'broken', { failAt: 3 });
    const summary = await waitFinal(run);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain("step 's3'");
    expect(summary.error).toContain('s3 was asked to fail');
    const steps = await http(`${run}/steps`).json<StepInfo[]>();
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'completed'],
      ['s3', 'failed'],
    ]);
    expect((await http(`${toolOf(4).url}/artifacts/broken-s4/status`)).statusCode).toBe(404);
  });

  it('cancels the running step when the run is cancelled', async () => {
    const events = await watchEvents(pipeline.url);
    const run = await startRun(pipeline.url, 'stopped', { gateAt: 2, gate: join(root, 'never') });
    // The step's progress is mirrored into the run's: one step done, the second half done.
    const halfway = await events.next(
      (s) => s.name === 'stopped' && s.message === 's2: half of s2',
    );
    events.close();
    expect(halfway.progress).toBeCloseTo(1.5 / 6, 5);
    await waitForLog(run, '[s2] waiting for');
    const running = await http(`${run}/steps`).json<StepInfo[]>();
    expect(running.map((s) => s.status)).toEqual(['completed', 'in-progress']);
    expect((await http.post(`${run}/cancel`)).statusCode).toBe(202);
    expect((await waitFinal(run)).status).toBe('cancelled');
    expect((await waitFinal(`${toolOf(2).url}/artifacts/stopped-s2`)).status).toBe('cancelled');
    const steps = await http(`${run}/steps`).json<StepInfo[]>();
    expect(steps.map((s) => s.status)).toEqual(['completed', 'cancelled']);
  });

  it('refuses to adopt a step artifact made with other parameters', async () => {
    const first = await startRun(pipeline.url, 'reused-name', { steps: 1, salt: 'one' });
    expect((await waitFinal(first)).status).toBe('completed');
    expect((await http.delete(`${first}/`)).statusCode).toBe(204);
    const second = await startRun(pipeline.url, 'reused-name', { steps: 1, salt: 'two' });
    const summary = await waitFinal(second);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('other parameters');
  });

  it('reports a container that does not answer as unhealthy and lists the others’ artifacts', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const addresses = env['KILN_SERVICE_ADDRESSES']!.replace(/s6=[^,]+/, `s6=${deadUrl}`);
    const served = await serveModule(fixture('chain-pipeline.mjs'), join(root, 'pipeline-dead'), {
      ...env,
      KILN_SERVICE_ADDRESSES: addresses,
    });
    try {
      const containers = await http(`${served.url}/containers`).json<ContainerInfo[]>();
      expect(containers.find((c) => c.name === 's6')).toMatchObject({
        url: 'http://s6:8080',
        healthy: false,
        artifactType: '',
      });
      expect(containers.filter((c) => c.healthy)).toHaveLength(5);
      await http.post(`${tools[0]!.url}/artifacts`, {
        json: { name: 'lonely', parameters: { label: 'lonely' } },
      });
      const all = await http(`${served.url}/artifacts`).json<ContainerArtifactSummary[]>();
      expect(all.filter((a) => a.name === 'lonely').map((a) => a.container)).toEqual([
        's1',
        's3',
        's5',
      ]);
      expect(all.some((a) => a.container === 's6')).toBe(false);
    } finally {
      await served.stop();
    }
  });

  it('describes its own routes in /openapi.json, beside the artifact API of its runs', async () => {
    const document = await http(`${pipeline.url}/openapi.json`).json<{
      paths: Record<string, Record<string, { operationId: string }>>;
    }>();
    expect(document.paths['/task']?.['get']?.operationId).toBe('task');
    expect(document.paths['/containers']?.['get']?.operationId).toBe('containers');
    expect(document.paths['/artifacts']?.['get']?.operationId).toBe('artifactsOfContainers');
    expect(document.paths['/runs/{name}/steps']?.['get']?.operationId).toBe('runSteps');
    expect(document.paths['/runs/{name}/variants']?.['get']?.operationId).toBe('runVariants');
    expect(document.paths['/runs']?.['post']).toBeDefined();
    const wrong = await http.delete(`${pipeline.url}/runs/first/steps`);
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers['allow']).toBe('GET, HEAD');
  });

  it('answers 404 for the steps and variants of an unknown run, 400 for a bad name', async () => {
    for (const route of ['steps', 'variants']) {
      const response = await http(`${pipeline.url}/runs/nobody/${route}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await http(`${pipeline.url}/runs/bad%20name/variants`)).statusCode).toBe(400);
  });

  it('resumes a run after the pipeline container is killed mid-step', async () => {
    const dataDir = join(root, 'pipeline-killed');
    const gate = join(root, 'gate');
    let served = await serveModule(fixture('chain-pipeline.mjs'), dataDir, env);
    try {
      let run = await startRun(served.url, 'survivor', { gateAt: 3, gate, salt: 'survivor' });
      await waitForLog(run, '[s3] waiting for');
      await served.kill();
      served = await serveModule(fixture('chain-pipeline.mjs'), dataDir, env);
      run = `${served.url}/runs/survivor`;
      // The resumed attempt adopts s3 while it still holds, and copies its log again.
      await waitForLog(run, '[s3] waiting for', 2);
      await writeFile(gate, '');
      const summary = await waitFinal(run);
      expect(summary).toMatchObject({ status: 'completed', attempt: 2 });
      const log = await http(`${run}/log`).text();
      expect(log).toContain('[s1] reusing survivor-s1');
      expect(log).toContain('[s2] reusing survivor-s2');
      const document = await http(`${run}/data`).json<RunDocument>();
      expect(document.figures).toMatchObject({ length: 6 });
      // s3 was built once: the resumed run waited for it instead of starting it again.
      const s3 = await stepStatus(3, 'survivor-s3');
      expect(s3).toMatchObject({ status: 'completed', attempt: 1, cached: false });
    } finally {
      await served.stop();
    }
  });
});
