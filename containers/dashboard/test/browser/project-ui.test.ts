import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SCREENSHOTS, type TestBrowser } from '../helpers/browser.js';
import { stopChild } from '../helpers/test-project.js';

// The whole example project, as `npm start` runs it (base/launcher through `kiln up`), on the
// bundled Fashion-MNIST subset cut down to a few hundred images so a run takes seconds.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'base/cli/dist/main.js');
const TOKEN = 'project-token-for-the-browser-test';
const RUN = 'ui-run';

let dataDir: string;
let launcher: ChildProcess | undefined;
let url: string;
let browser: TestBrowser;

function badge(scope: Locator, status: string): Locator {
  return scope.locator(`kiln-status-badge[status="${status}"]`).first();
}

async function startLauncher(): Promise<string> {
  dataDir = await mkdtemp(join(tmpdir(), 'kiln-project-ui-'));
  const child = spawn(
    process.execPath,
    [CLI, 'up', '--port', '0', '--base-port', '0', '--data', dataDir, '--no-color'],
    {
      cwd: ROOT,
      env: { ...process.env, KILN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  launcher = child;
  return new Promise((resolve, reject) => {
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Kiln is up: (http:\/\/\S+?)\/?\s/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) =>
      reject(new Error(`kiln up exited with ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

beforeAll(async () => {
  [url, browser] = await Promise.all([startLauncher(), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopChild(launcher);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the dashboard on the example project started by the launcher', () => {
  it('signs in with the project token', async () => {
    const { page } = browser;
    await page.goto(url);
    await page.getByLabel('Project token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'fashion-mnist', exact: true }).waitFor();
    await page.getByRole('link', { name: 'fashion-mnist-linear', exact: true }).waitFor();
    await browser.screenshot('project-pipelines');
  });

  it('shows the pipeline’s task and its six healthy containers', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'fashion-mnist', exact: true }).click();
    await page.getByText('org.kiln.fashion-mnist').waitFor();
    const containers = page.locator('kiln-container-list');
    for (const name of ['import', 'process', 'export', 'split', 'train', 'benchmark']) {
      await badge(
        containers.getByRole('row', { name: new RegExp(`^${name} `) }),
        'healthy',
      ).waitFor();
    }
    await browser.part('doc-pipeline', page.locator('kiln-pipeline-page section').first());
    await browser.part('doc-containers', page.locator('kiln-pipeline-page section').nth(1));
  });

  it(
    'starts a run on tiny data and watches it complete, step by step',
    { timeout: 120_000 },
    async () => {
      const { page } = browser;
      await page.getByRole('link', { name: 'Start a run' }).click();
      await page.getByRole('heading', { name: 'Start a run of fashion-mnist' }).waitFor();
      await page.getByLabel('Name (optional)').fill(RUN);
      await page.getByLabel('Source').selectOption({ label: 'bundled' });
      await page.getByLabel('Train limit').fill('400');
      await page.getByLabel('Test limit').fill('200');
      await page.getByLabel('Epochs', { exact: true }).fill('3');
      await page.getByLabel('Batch size').fill('64');
      await page.getByLabel('Latency runs').fill('5');
      await page.getByRole('button', { name: 'Start the run' }).click();
      await page.getByRole('heading', { name: `Run ${RUN}` }).waitFor();
      const chain = page.getByRole('list', { name: 'Steps' });
      await chain
        .getByRole('link', { name: `benchmark/${RUN}-benchmark` })
        .waitFor({ timeout: 90_000 });
      await badge(page.locator('kiln-artifact-page'), 'completed').waitFor({ timeout: 90_000 });
      await expect
        .poll(() => chain.locator('kiln-status-badge[status="completed"]').count(), {
          timeout: 10_000,
        })
        .toBe(6);
      await browser.screenshot('project-run');
      await browser.part('doc-run-steps', page.locator('kiln-run-page section').first());
    },
  );

  it('opens the training artifact: charts with points, and the model to download', async () => {
    const { page } = browser;
    await page
      .getByRole('list', { name: 'Steps' })
      .getByRole('link', { name: `train/${RUN}-train` })
      .click();
    await page.getByRole('heading', { name: `${RUN}-train` }).waitFor();
    // The step's reference (in compose form: http://split:8080/…) is a link to that artifact.
    await page
      .locator('kiln-artifact-parameters')
      .getByRole('link', { name: `split/${RUN}-split` })
      .waitFor();
    const loss = page.locator('kiln-metric-chart[metric="loss"]');
    await expect
      .poll(() => loss.locator('[data-points]').getAttribute('data-points').then(Number))
      .toBe(3);
    expect(await loss.locator('canvas').count()).toBeGreaterThan(0);
    await browser.screenshot('project-train');
    await browser.part('doc-charts', page.locator('kiln-artifact-page .charts'));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'model.json' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('model.json');
    const model = JSON.parse(await readFile((await download.path())!, 'utf8')) as Record<
      string,
      unknown
    >;
    expect(model).toHaveProperty('modelTopology');
    expect(model).toHaveProperty('weightsManifest');
  });

  it('shows the benchmark’s confusion matrix as a heat map', async () => {
    const { page } = browser;
    await page.goBack();
    await page
      .getByRole('list', { name: 'Steps' })
      .getByRole('link', { name: `benchmark/${RUN}-benchmark` })
      .click();
    const matrix = page.getByRole('table', { name: 'confusion-matrix' });
    await matrix.waitFor();
    expect(await matrix.locator('tbody tr').count()).toBe(10);
    expect(await matrix.locator('tbody td').count()).toBe(100);
    await browser.screenshot('project-benchmark');
    await browser.part('doc-confusion-matrix', page.locator('kiln-confusion-matrix'));
  });

  it('creates an artifact from the form and shows a bad value’s error by its field', async () => {
    const { page } = browser;
    await page.goto(`${url}/#/containers/train/new?pipeline=fashion-mnist`);
    await page.getByRole('heading', { name: 'New train artifact' }).waitFor();
    // A reference as docker-compose.yml names the container: it works from every container.
    await page.getByLabel('Dataset').fill(`http://split:8080/artifacts/${RUN}-split/`);
    await page.getByLabel('Epochs', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Create the artifact' }).click();
    const epochs = page.getByLabel('Epochs', { exact: true });
    await expect.poll(() => epochs.getAttribute('aria-invalid')).toBe('true');
    const errorId = ((await epochs.getAttribute('aria-describedby')) ?? '')
      .split(' ')
      .find((id) => id.endsWith('-error'));
    expect(await page.locator(`kiln-schema-form #${errorId}`).textContent()).toMatch(/>= 1/);
    expect(await page.getByLabel('Dataset').getAttribute('aria-invalid')).toBe('false');
    await browser.screenshot('project-form-error');
    await browser.part('doc-form-error', page.locator('kiln-schema-form form'));
    // fixed, it is created and trains
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Name (optional)').fill(`${RUN}-again`);
    await page.getByRole('button', { name: 'Create the artifact' }).click();
    await page.getByRole('heading', { name: `${RUN}-again` }).waitFor();
    await badge(page.locator('kiln-artifact-page'), 'completed').waitFor({ timeout: 60_000 });
    await page
      .locator('kiln-artifact-parameters')
      .getByRole('link', { name: `split/${RUN}-split` })
      .waitFor();
  });

  it('lists the artifacts of every container in one table', async () => {
    const { page } = browser;
    await page.goto(`${url}/#/pipelines/fashion-mnist`);
    const artifacts = page.locator('kiln-artifact-table[mode="artifacts"]');
    await artifacts.getByText('Showing 1–7 of 7 artifacts.').waitFor();
    for (const step of ['import', 'process', 'export', 'split', 'train', 'benchmark']) {
      await badge(
        artifacts.getByRole('row', { name: new RegExp(`^${RUN}-${step} `) }),
        'completed',
      ).waitFor();
    }
    await browser.part('doc-artifacts', page.locator('kiln-pipeline-page section').nth(3));
  });

  it(
    'sweeps variants from the same data steps and compares them side by side',
    { timeout: 120_000 },
    async () => {
      const { page } = browser;
      await page.goto(`${url}/#/pipelines/fashion-mnist/runs/new`);
      await page.getByRole('heading', { name: 'Start a run of fashion-mnist' }).waitFor();
      await page.getByLabel('Name (optional)').fill(`${RUN}-sweep`);
      await page.getByLabel('Source').selectOption({ label: 'bundled' });
      await page.getByLabel('Train limit').fill('400');
      await page.getByLabel('Test limit').fill('200');
      await page.getByLabel('Epochs').fill('3');
      await page.getByLabel('Batch size').fill('64');
      await page.getByLabel('Latency runs').fill('5');
      await page.getByLabel('Variants').fill(
        JSON.stringify([
          { name: 'narrow', hiddenUnits: [32] },
          { name: 'wide', hiddenUnits: [512] },
          { name: 'quick', learningRate: 0.01, epochs: 2 },
          { name: 'conv', architecture: 'conv' },
        ]),
      );
      await page.getByRole('button', { name: 'Start the run' }).click();
      await page.getByRole('heading', { name: `Run ${RUN}-sweep` }).waitFor();
      await badge(page.locator('kiln-artifact-page'), 'completed').waitFor({ timeout: 100_000 });
      const table = page
        .locator('kiln-variant-comparison')
        .getByRole('table', { name: 'Variants compared by accuracy (highest is best)' });
      const column = (name: string): Locator => table.locator(`[data-variant="${name}"]`);
      for (const name of ['narrow', 'wide', 'quick'])
        await badge(column(name), 'completed').waitFor();
      await column('conv')
        .getByText(/needs a native TensorFlow\.js backend/)
        .waitFor();
      await table.getByText('best', { exact: true }).waitFor();
      const loss = page.locator('kiln-overlay-chart[metric="loss"]');
      await expect.poll(() => loss.locator('[data-lines]').getAttribute('data-lines')).toBe('3');
      await page.locator('kiln-overlay-chart[metric="val_accuracy"]').waitFor();
      // The data steps came from the cache: the first run made them.
      const steps = page.getByRole('list', { name: 'Steps', exact: true });
      expect(await steps.getByText('cached').count()).toBe(4);
      await browser.screenshot('project-sweep');
      // For docs/dashboard.md: the table and the first row of curves (loss, accuracy).
      const section = page.locator('kiln-variant-comparison section');
      await page.setViewportSize({ width: 1280, height: 2400 });
      await section.scrollIntoViewIfNeeded();
      const top = (await section.boundingBox())!;
      const third = (await page.locator('kiln-overlay-chart').nth(2).boundingBox())!;
      await page.screenshot({
        path: join(SCREENSHOTS, 'doc-variants.png'),
        clip: { x: top.x, y: top.y, width: top.width, height: third.y - top.y },
      });
      await page.setViewportSize({ width: 1280, height: 900 });
      await browser.part('doc-run-variants-steps', page.locator('kiln-run-page section').first());
    },
  );
});
