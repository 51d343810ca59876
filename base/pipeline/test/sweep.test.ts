import type { ArtifactSummary, RunDocument, RunVariants, StepInfo } from '@kiln/api';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startEchoProject, type EchoProject } from './echo-project.js';
import { http, startRun, waitFinal, waitForLog, watchEvents } from './http-helpers.js';
import { serveModule, type ServedProcess } from './serve-process.js';

// The fan pipeline's `sweep` mode: s1, then per variant s5 (on tool a) and s6 (on tool b, which
// keeps the variant's score), compared by that score. Each tool builds one artifact at a time,
// so variants queue on each and overlap across the two.
let project: EchoProject;
let pipeline: ServedProcess;

beforeAll(async () => {
  project = await startEchoProject('sweep');
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
const variantsOf = (run: string): Promise<RunVariants> =>
  http(`${run}/variants`).json<RunVariants>();
const sweep = (variants: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  mode: 'sweep',
  variants,
  ...extra,
});

describe('a sweep of variants', () => {
  it('runs three variants from one shared step and compares them side by side', async () => {
    const run = await startRun(
      pipeline.url,
      'three',
      sweep([
        { name: 'low', score: 0.2 },
        { name: 'high', score: 0.9 },
        { name: 'mid', score: 0.5 },
      ]),
    );
    expect(await waitFinal(run)).toMatchObject({ status: 'completed', progress: 1 });
    const document = await http(`${run}/data`).json<RunDocument>();
    expect(document.figures).toEqual({ best: 'high', score: 0.9, length: 3 });
    const variants = document.variants!;
    expect(variants).toMatchObject({ metric: 'score', goal: 'max', best: 'high', failed: [] });
    expect(variants.results.map((v) => [v.name, v.status, v.figures])).toEqual([
      ['low', 'completed', { score: 0.2, length: 3 }],
      ['high', 'completed', { score: 0.9, length: 3 }],
      ['mid', 'completed', { score: 0.5, length: 3 }],
    ]);
    const high = variants.results[1]!;
    // The variant as given, its defaults filled in by the run's schema, less its name.
    expect(high.parameters).toEqual({ score: 0.9, failAt: 0, gateAt: 0 });
    expect(high.steps).toEqual({ s5: 's5-high', s6: 's6-high' });
    expect(high.artifacts).toEqual({
      s5: 'http://s5:8080/artifacts/three-s5-high/',
      s6: 'http://s6:8080/artifacts/three-s6-high/',
    });
    expect(high.links['s6']).toBe('/containers/s6/artifacts/three-s6-high/');
    expect(high.error).toBeNull();
    expect(high.finishedAt).not.toBeNull();
    // The same comparison, live while the run goes on, and kept after it.
    expect(await variantsOf(run)).toEqual(variants);

    const steps = await stepsOf(run);
    expect(steps).toHaveLength(7);
    expect(steps[0]).toMatchObject({ step: 's1', status: 'completed' });
    expect(steps[0]).not.toHaveProperty('variant');
    // Every variant's first step was started at once, in the order given.
    expect(steps.slice(1, 4).map((s) => s.step)).toEqual(['s5-low', 's5-high', 's5-mid']);
    for (const name of ['low', 'high', 'mid'])
      expect(
        steps.filter((s) => s.variant === name).map((s) => [s.step, s.artifact, s.status]),
      ).toEqual([
        [`s5-${name}`, `three-s5-${name}`, 'completed'],
        [`s6-${name}`, `three-s6-${name}`, 'completed'],
      ]);
    // Each variant's s6 read that variant's s5: the sub-graphs did not cross.
    const record = await http(`${project.toolOf(6).url}/artifacts/three-s6-mid/`).json<{
      inputs: { url: string }[];
    }>();
    expect(record.inputs.map((input) => input.url)).toEqual([
      'http://s5:8080/artifacts/three-s5-mid/',
    ]);
    const log = await http(`${run}/log`).text();
    expect(log).toContain(
      'sweep of 3 variants (low, high, mid), compared by score (highest is best)',
    );
    expect(log).toContain('[high] scored 0.9');
    expect(log).toContain('[s6-low] building s6-low');
    expect(log).toContain('sweep: 3 of 3 variants completed; best by score: high (0.9)');
  });

  it('completes when one variant fails, and says which failed and why', async () => {
    const events = await watchEvents(pipeline.url);
    const run = await startRun(
      pipeline.url,
      'one-bad',
      sweep([
        { name: 'bad', score: 1, failAt: 5 },
        { name: 'fine', score: 0.5 },
        { name: 'better', score: 0.7 },
      ]),
    );
    expect((await waitFinal(run)).status).toBe('completed');
    // The run's message said so as soon as it failed, and until the run completed.
    await events.next((s) => s.name === 'one-bad' && /variant bad failed/.test(s.message ?? ''));
    await events.next((s) => s.name === 'one-bad' && s.message === 'completed; variant bad failed');
    events.close();
    const { variants, figures } = await http(`${run}/data`).json<RunDocument>();
    expect(figures).toMatchObject({ best: 'better', score: 0.7 });
    expect(variants).toMatchObject({ best: 'better', failed: ['bad'] });
    const bad = variants!.results[0]!;
    expect(bad).toMatchObject({ name: 'bad', status: 'failed', figures: null });
    expect(bad.error).toContain("step 's5-bad'");
    expect(bad.error).toContain('s5-bad was asked to fail');
    expect(variants!.results.slice(1).map((v) => v.status)).toEqual(['completed', 'completed']);
    const steps = await stepsOf(run);
    expect(steps.filter((s) => s.variant === 'bad').map((s) => [s.step, s.status])).toEqual([
      ['s5-bad', 'failed'],
    ]);
    const log = await http(`${run}/log`).text();
    expect(log).toMatch(/^\[bad\] failed: step 's5-bad' .*s5-bad was asked to fail$/m);
    expect(log).toContain(
      'sweep: 2 of 3 variants completed; best by score: better (0.7); failed: bad',
    );
  });

  it('takes the lowest value as best when the goal is min', async () => {
    const run = await startRun(
      pipeline.url,
      'lowest',
      sweep(
        [
          { name: 'one', score: 3 },
          { name: 'two', score: 1 },
        ],
        { goal: 'min' },
      ),
    );
    expect((await waitFinal(run)).status).toBe('completed');
    expect(await variantsOf(run)).toMatchObject({ goal: 'min', best: 'two' });
  });

  it('fails the run when every variant fails, naming each one’s reason', async () => {
    const run = await startRun(
      pipeline.url,
      'all-bad',
      sweep([
        { name: 'x', score: 1, failAt: 5 },
        { name: 'y', score: 2, failAt: 6 },
      ]),
    );
    const summary = await waitFinal(run);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(
      /^every variant of the sweep failed: x: step 's5-x' .*asked to fail; y: step 's6-y' .*asked to fail$/,
    );
    const variants = await variantsOf(run);
    expect(variants).toMatchObject({ best: null, failed: ['x', 'y'] });
  });

  it('refuses a variant name given twice before starting any variant', async () => {
    const run = await startRun(
      pipeline.url,
      'twice',
      sweep([
        { name: 'same', score: 1 },
        { name: 'same', score: 2 },
      ]),
    );
    const summary = await waitFinal(run);
    expect(summary).toMatchObject({ status: 'failed' });
    expect(summary.error).toBe("variants: variant 2: the name 'same' is given twice");
    expect((await stepsOf(run)).map((s) => s.step)).toEqual(['s1']);
    expect(await variantsOf(run)).toBeNull();
  });

  it('cancels every running and queued variant step when the run is cancelled', async () => {
    const run = await startRun(
      pipeline.url,
      'stopped',
      sweep(
        [
          { name: 'a', score: 1, gateAt: 6 },
          { name: 'b', score: 2 },
          { name: 'c', score: 3 },
        ],
        { gate: file('never') },
      ),
    );
    // a's s6 holds tool b; b's and c's s6 wait behind it in tool b's queue.
    await waitForLog(run, '[s6-a] waiting for');
    await expect
      .poll(async () => (await stepsOf(run)).filter((s) => s.step.startsWith('s6-')).length, {
        timeout: 20_000,
      })
      .toBe(3);
    expect((await http.post(`${run}/cancel`)).statusCode).toBe(202);
    expect((await waitFinal(run)).status).toBe('cancelled');
    for (const name of ['a', 'b', 'c'])
      expect((await stepStatus(6, `stopped-s6-${name}`)).status).toBe('cancelled');
    const variants = await variantsOf(run);
    expect(variants.results.map((v) => [v.name, v.status])).toEqual([
      ['a', 'cancelled'],
      ['b', 'cancelled'],
      ['c', 'cancelled'],
    ]);
    const steps = await stepsOf(run);
    expect(steps.filter((s) => s.step.startsWith('s6-')).map((s) => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  });

  it('resumes after the pipeline container is killed: completed variants are adopted, not rebuilt', async () => {
    const dataDir = join(project.root, 'fan-killed');
    const gate = file('gate-resumed');
    let served = await serveModule(fixture('fan-pipeline.mjs'), dataDir, project.env);
    try {
      let run = await startRun(
        served.url,
        'resumed',
        sweep(
          [
            { name: 'early', score: 0.3 },
            { name: 'held', score: 0.9, gateAt: 6 },
            { name: 'later', score: 0.6 },
          ],
          { gate },
        ),
      );
      await waitForLog(run, '[early] completed');
      await waitForLog(run, '[s6-held] waiting for');
      await served.kill();
      served = await serveModule(fixture('fan-pipeline.mjs'), dataDir, project.env);
      run = `${served.url}/runs/resumed`;
      await waitForLog(run, '[s6-held] waiting for', 2);
      await writeFile(gate, '');
      expect(await waitFinal(run)).toMatchObject({ status: 'completed', attempt: 2 });
      const log = await http(`${run}/log`).text();
      expect(log).toContain('[s5-early] reusing resumed-s5-early');
      expect(log).toContain('[s6-early] reusing resumed-s6-early');
      for (const name of ['early', 'held', 'later']) {
        expect(await stepStatus(5, `resumed-s5-${name}`)).toMatchObject({
          attempt: 1,
          cached: false,
        });
        expect(await stepStatus(6, `resumed-s6-${name}`)).toMatchObject({
          attempt: 1,
          cached: false,
        });
      }
      const { variants } = await http(`${run}/data`).json<RunDocument>();
      expect(variants).toMatchObject({ best: 'held', failed: [] });
      expect(variants!.results.map((v) => v.status)).toEqual([
        'completed',
        'completed',
        'completed',
      ]);
    } finally {
      await served.stop();
    }
  });
});
