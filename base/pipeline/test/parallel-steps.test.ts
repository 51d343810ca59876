import type { ArtifactSummary, RunDocument, StepInfo } from '@kiln/api';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startEchoProject, type EchoProject } from './echo-project.js';
import { http, startRun, waitFinal, waitForLog, watchEvents } from './http-helpers.js';
import { serveModule, type ServedProcess } from './serve-process.js';

// The fan pipeline's `parallel` mode: s1, then s2 (`left`, on tool b) and s3 (`right`, on
// tool a) under Promise.all, then s4. Both side steps append to a ledger and wait there until
// both have started, so a run that completes proves they ran at the same time.
let project: EchoProject;
let pipeline: ServedProcess;

beforeAll(async () => {
  project = await startEchoProject('parallel');
  pipeline = await serveModule(fixture('fan-pipeline.mjs'), join(project.root, 'fan'), project.env);
});

afterAll(async () => {
  await pipeline?.stop();
  await project?.close();
});

const file = (name: string): string => join(project.root, name);
const stepStatus = (step: number, artifact: string): Promise<ArtifactSummary> =>
  http(`${project.toolOf(step).url}/artifacts/${artifact}/status`).json<ArtifactSummary>();
const stepsOf = (run: string): Promise<StepInfo[]> => http(`${run}/steps`).json<StepInfo[]>();

/** The ledger's lines as `start left`, `end right`, … in the order they were written. */
async function ledgerOf(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' ').slice(0, 2).join(' '));
}

describe('steps side by side', () => {
  it('runs two independent steps at once: both start before either ends', async () => {
    const ledger = file('ledger-together');
    const gate = file('gate-together');
    const events = await watchEvents(pipeline.url);
    const run = await startRun(pipeline.url, 'together', { ledger, gate });
    // Both met in the ledger and hold at the gate: both are running now.
    await waitForLog(run, '] waiting for', 2);
    const running = await stepsOf(run);
    expect(running.map((s) => [s.step, s.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'in-progress'],
      ['s3', 'in-progress'],
    ]);
    // The run's message names both running steps, and its progress counts both halves.
    const both = await events.next(
      (s) => s.name === 'together' && s.message === 's2: half of left · s3: half of right',
    );
    events.close();
    expect(both.progress).toBeCloseTo(2 / 4, 5);
    await writeFile(gate, '');
    expect(await waitFinal(run)).toMatchObject({ status: 'completed', progress: 1 });

    expect(await ledgerOf(ledger)).toEqual(
      expect.arrayContaining(['start left', 'start right', 'end left', 'end right']),
    );
    const lines = await ledgerOf(ledger);
    const lastStart = Math.max(lines.indexOf('start left'), lines.indexOf('start right'));
    const firstEnd = Math.min(lines.indexOf('end left'), lines.indexOf('end right'));
    expect(lastStart).toBeLessThan(firstEnd);

    const document = await http(`${run}/data`).json<RunDocument>();
    expect(document.figures).toEqual({
      left: ['root', 'left'],
      right: ['root', 'right'],
      joined: ['root', 'left', 'joined'],
    });
    // Named in the order they were called, whatever order they finished in.
    const steps = await stepsOf(run);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'completed'],
      ['s3', 'completed'],
      ['s4', 'completed'],
    ]);
    expect(document.steps).toEqual(steps);
    expect(document).not.toHaveProperty('variants');
    expect(await http(`${run}/variants`).json()).toBeNull();
  });

  it('keeps each copied log line whole and prefixed by its step', async () => {
    const log = await http(`${pipeline.url}/runs/together/log`).text();
    const fromSides = log.split('\n').filter((line) => /left|right/.test(line));
    expect(fromSides).toHaveLength(4);
    for (const line of fromSides) {
      if (line.includes('building left') || line.includes('done left'))
        expect(line).toMatch(/^\[s2\] (building left|done left ünïcode)$/);
      if (line.includes('building right') || line.includes('done right'))
        expect(line).toMatch(/^\[s3\] (building right|done right ünïcode)$/);
    }
    expect(fromSides).toContain('[s2] done left ünïcode');
    expect(fromSides).toContain('[s3] done right ünïcode');
  });

  it('fails the run when one of two steps fails, and cancels the other', async () => {
    const run = await startRun(pipeline.url, 'one-fails', {
      ledger: file('ledger-one-fails'),
      gate: file('never'),
      failRight: true,
    });
    const summary = await waitFinal(run);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain("step 's3'");
    expect(summary.error).toContain('right was asked to fail');
    // s2 held at its gate: it was cancelled on its container, not left building.
    expect((await stepStatus(2, 'one-fails-s2')).status).toBe('cancelled');
    const steps = await stepsOf(run);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'cancelled'],
      ['s3', 'failed'],
    ]);
    const log = await http(`${run}/log`).text();
    expect(log).toContain('still running; cancelling s2');
    expect(log).toContain('[s2] cancelled one-fails-s2');
  });

  it('cancels every running step when the run is cancelled', async () => {
    const run = await startRun(pipeline.url, 'both-cancelled', {
      ledger: file('ledger-both-cancelled'),
      gate: file('never'),
    });
    await waitForLog(run, '] waiting for', 2);
    expect((await http.post(`${run}/cancel`)).statusCode).toBe(202);
    expect((await waitFinal(run)).status).toBe('cancelled');
    expect((await stepStatus(2, 'both-cancelled-s2')).status).toBe('cancelled');
    expect((await stepStatus(3, 'both-cancelled-s3')).status).toBe('cancelled');
    const steps = await stepsOf(run);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'cancelled'],
      ['s3', 'cancelled'],
    ]);
  });

  it('resumes both running steps after the pipeline container is killed, building each once', async () => {
    const dataDir = join(project.root, 'fan-killed');
    const ledger = file('ledger-resumed');
    const gate = file('gate-resumed');
    let served = await serveModule(fixture('fan-pipeline.mjs'), dataDir, project.env);
    try {
      let run = await startRun(served.url, 'resumed', { ledger, gate });
      await waitForLog(run, '] waiting for', 2);
      await served.kill();
      served = await serveModule(fixture('fan-pipeline.mjs'), dataDir, project.env);
      run = `${served.url}/runs/resumed`;
      // The second attempt adopts both holding steps and copies their logs again.
      await waitForLog(run, '] waiting for', 4);
      await writeFile(gate, '');
      expect(await waitFinal(run)).toMatchObject({ status: 'completed', attempt: 2 });
      for (const [step, name] of [
        [2, 'resumed-s2'],
        [3, 'resumed-s3'],
      ] as const)
        expect(await stepStatus(step, name)).toMatchObject({
          status: 'completed',
          attempt: 1,
          cached: false,
        });
      // Each side step started once: the resumed run waited for them instead of building again.
      const lines = await ledgerOf(ledger);
      expect(lines.filter((line) => line.startsWith('start')).sort()).toEqual([
        'start left',
        'start right',
      ]);
      const document = await http(`${run}/data`).json<RunDocument>();
      expect(document.figures['joined']).toEqual(['root', 'left', 'joined']);
    } finally {
      await served.stop();
    }
  });
});
