import { readFile } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SCREENSHOTS, type TestBrowser } from '../helpers/browser.js';
import { startTestProject, type TestProject } from '../helpers/test-project.js';

const TOKEN = 'correct-horse-battery-staple';

/** The status badge showing `status` inside `scope`. */
function badge(scope: Locator, status: string): Locator {
  return scope.locator(`kiln-status-badge[status="${status}"]`).first();
}

let project: TestProject;
let browser: TestBrowser;

beforeAll(async () => {
  project = await startTestProject({ token: TOKEN, extraArtifacts: 10_000 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await project?.close();
});

describe('the dashboard against fixture containers behind the gateway', () => {
  it('asks for the token, refuses a wrong one, and signs in', async () => {
    const { page } = browser;
    await page.goto(project.url);
    await page.getByLabel('Project token').waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
    await browser.screenshot('sign-in');
    await browser.part('doc-sign-in', page.locator('kiln-sign-in .card'));
    await page.getByLabel('Project token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is not right.').waitFor();
    await page.getByLabel('Project token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await page.getByRole('link', { name: 'demo', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Every container of the project, a tool that no pipeline uses included.
    const notes = page.getByRole('row', { name: /notes/ });
    await notes.getByText('none').waitFor();
    await notes.getByRole('link', { name: 'New notes artifact' }).waitFor();
    await page.getByRole('row', { name: /train/ }).getByText('demo').waitFor();
    await browser.screenshot('pipelines');
  });

  it('shows the pipeline: its task, containers with health, and 10,000 artifacts in pages', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'demo', exact: true }).click();
    await page.getByText('org.kiln.test.demo').waitFor();
    for (const field of [
      'Output',
      'Constraints',
      'Archives',
      'Evaluation criteria',
      'Cost function',
      'Evaluation dataset',
    ]) {
      await page.getByText(field, { exact: true }).waitFor();
    }
    await page
      .getByRole('row', { name: /train model/ })
      .getByText('healthy')
      .waitFor();
    await page.getByText('Showing 1–25 of 10,000 artifacts.').waitFor();
    const artifacts = page.getByRole('navigation', { name: 'Artifacts pages' });
    await artifacts.getByRole('button', { name: 'Last' }).click();
    await artifacts.getByText('Page 400 of 400').waitFor();
    await page.getByRole('link', { name: 'archived-00000' }).waitFor();
    await page
      .getByRole('search', { name: 'Filter artifacts' })
      .getByLabel('Status')
      .selectOption('failed');
    await page.getByText('Showing 1–25 of 104 artifacts.').waitFor();
    await page
      .getByRole('search', { name: 'Filter artifacts' })
      .getByLabel('Status')
      .selectOption('');
    await browser.screenshot('pipeline');
  });

  it('shows a new artifact and its progress live, without reloading', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'archived-09999' }).waitFor();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    // made behind the dashboard's back, straight on the container
    const created = await fetch(`${project.trainUrl}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made-elsewhere', parameters: { epochs: 2 } }),
    });
    expect(created.status).toBe(202);
    const row = page.getByRole('row', { name: /made-elsewhere/ });
    await badge(row, 'completed').waitFor();
    await page.getByText('Showing 1–25 of 10,001 artifacts.').waitFor();
    expect(requests.filter((path) => path.endsWith('/artifacts'))).toEqual([]);
  });

  it('starts a run, watches it complete, and shows its steps as a chain', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Start a run' }).click();
    await page.getByRole('heading', { name: 'Start a run of demo' }).waitFor();
    await page.getByLabel('Epochs').fill('4');
    await page.getByLabel('Delay ms').fill('150');
    await page.getByLabel('Name (optional)').fill('run-one');
    await page.getByRole('button', { name: 'Start the run' }).click();
    await page.getByRole('heading', { name: 'Run run-one' }).first().waitFor();
    const chain = page.getByRole('list', { name: 'Steps' });
    await chain.getByRole('link', { name: 'train/run-one-train' }).waitFor();
    await badge(page.locator('kiln-artifact-page'), 'completed').waitFor({ timeout: 30_000 });
    await badge(chain, 'completed').waitFor();
    await page.getByText('[train] train: run-one-train').waitFor();
    await browser.screenshot('run');
  });

  it('opens the training artifact: a chart with points, the confusion matrix, the model download', async () => {
    const { page } = browser;
    await page
      .getByRole('list', { name: 'Steps' })
      .getByRole('link', { name: 'train/run-one-train' })
      .click();
    await page.getByRole('heading', { name: 'run-one-train' }).waitFor();
    const loss = page.locator('kiln-metric-chart[metric="loss"]');
    await loss.getByText('4 points; last value 0.4 at step 4').waitFor();
    expect(await loss.locator('canvas').count()).toBeGreaterThan(0);
    const matrix = page.getByRole('table', { name: 'confusion' });
    await matrix.waitFor();
    expect(await matrix.getByRole('cell', { name: '58' }).count()).toBe(1);
    await page.getByRole('table', { name: 'summary' }).getByText('0.85', { exact: true }).waitFor();
    await page.getByText('epoch 4: loss=0.4000').waitFor();
    await browser.screenshot('artifact');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'model.json' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('model.json');
    expect(JSON.parse(await readFile((await download.path())!, 'utf8'))).toEqual({
      kind: 'dense',
      epochs: 4,
    });
  });

  it('compares a sweep’s variants side by side, live: figures, the best, why one failed, curves overlaid', async () => {
    const { page } = browser;
    await page.goto(`${project.url}/#/pipelines/demo/runs/new`);
    await page.getByRole('heading', { name: 'Start a run of demo' }).waitFor();
    await page.getByLabel('Epochs').fill('6');
    await page.getByLabel('Delay ms').fill('300');
    await page.getByLabel('Variants').fill(
      JSON.stringify([
        { name: 'slow', learningRate: 0.005 },
        { name: 'fast', learningRate: 0.02 },
        { name: 'gpu', model: 'cnn' },
      ]),
    );
    await page.getByLabel('Name (optional)').fill('sweep-one');
    await page.getByRole('button', { name: 'Start the run' }).click();
    await page.getByRole('heading', { name: 'Run sweep-one' }).waitFor();
    const comparison = page.locator('kiln-variant-comparison');
    const table = comparison.getByRole('table', {
      name: 'Variants compared by accuracy (highest is best)',
    });
    await table.waitFor();
    // One column per variant: its cells carry its name.
    const column = (name: string): Locator => table.locator(`[data-variant="${name}"]`);
    // The train container takes one variant at a time: the last one is still waiting.
    await badge(column('gpu'), 'in-progress').waitFor();
    // The loss curves grow while the variants train, with no reload.
    const loss = comparison.locator('kiln-overlay-chart[metric="loss"]');
    const points = (): Promise<number> =>
      loss.locator('[data-points]').getAttribute('data-points').then(Number);
    await expect.poll(points, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const first = await points();
    await expect.poll(points, { timeout: 20_000 }).toBeGreaterThanOrEqual(first + 2);
    await browser.screenshot('run-variants-running');

    await badge(page.locator('kiln-artifact-page'), 'completed').waitFor({ timeout: 30_000 });
    await badge(column('slow'), 'completed').waitFor();
    await badge(column('gpu'), 'failed').waitFor();
    await column('gpu').getByText('the cnn model needs a GPU, and this trainer has none').waitFor();
    const best = table.locator('th[data-variant="fast"]');
    await best.getByText('best', { exact: true }).waitFor();
    expect(await best.getAttribute('class')).toContain('best');
    expect(await table.locator('th.best').count()).toBe(1);
    // 1 - 0.6 / (1 + 5 × 2) and 1 - 0.6 / (1 + 5 × 0.5): the faster rate wins.
    await column('fast').getByText('0.9455', { exact: true }).waitFor();
    await column('slow').getByText('0.8286', { exact: true }).waitFor();
    await column('slow').getByText('learningRate=0.005').waitFor();
    expect(await comparison.getByRole('status').textContent()).toMatch(
      /3 of 3 variants ended;\s+best by accuracy:\s+fast; failed: gpu\./,
    );
    // Overlaid: one line per variant that trained, named in the legend.
    await expect.poll(() => loss.locator('[data-lines]').getAttribute('data-lines')).toBe('2');
    await expect.poll(points).toBe(12);
    for (const name of ['slow', 'fast']) await loss.locator('.u-legend').getByText(name).waitFor();
    expect(await loss.locator('canvas').count()).toBeGreaterThan(0);
    const accuracy = comparison.locator('kiln-overlay-chart[metric="accuracy"]');
    await expect.poll(() => accuracy.locator('[data-lines]').getAttribute('data-lines')).toBe('2');
    // Each variant's steps form a chain of their own; its artifacts are a click away.
    await page
      .getByRole('list', { name: 'Steps of variant fast' })
      .getByRole('link', { name: 'train/sweep-one-train-fast' })
      .waitFor();
    await column('slow').getByRole('link', { name: 'train of slow' }).waitFor();
    await browser.screenshot('run-variants');
  });

  it('shows the server’s validation error by the field', async () => {
    const { page } = browser;
    await page.goto(`${project.url}/#/containers/train/new?pipeline=demo`);
    await page.getByRole('heading', { name: 'New train artifact' }).waitFor();
    await page.getByLabel('Epochs').fill('0');
    await page.getByRole('button', { name: 'Create the artifact' }).click();
    const epochs = page.getByLabel('Epochs');
    await page.getByText('must be >= 1').waitFor();
    expect(await epochs.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await epochs.getAttribute('aria-describedby')) ?? '';
    const error = page.locator(
      `kiln-schema-form #${describedBy.split(' ').find((id) => id.endsWith('-error'))}`,
    );
    expect(await error.textContent()).toMatch(/must be >= 1/);
    await expect
      .poll(() => epochs.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement))
      .toBe(true);
    await browser.screenshot('form-error');
  });

  it('draws the charts as training runs, then cancels and deletes, each after a confirmation', async () => {
    const { page } = browser;
    await page.getByLabel('Epochs').fill('50');
    await page.getByLabel('Delay ms').fill('300');
    await page.getByLabel('Name (optional)').fill('to-cancel');
    await page.getByRole('button', { name: 'Create the artifact' }).click();
    await page.getByRole('heading', { name: 'to-cancel' }).waitFor();
    await badge(page.locator('kiln-artifact-page'), 'in-progress').waitFor();
    const loss = page.locator('kiln-metric-chart[metric="loss"]');
    const points = (): Promise<number> =>
      loss.locator('[data-points]').getAttribute('data-points').then(Number);
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const first = await points();
    // more points arrive while the build runs, with no reload
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThanOrEqual(first + 2);
    await browser.screenshot('artifact-running');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel to-cancel?' });
    await dialog.getByRole('button', { name: 'Cancel the build' }).click();
    await badge(page.locator('kiln-artifact-page'), 'cancelled').waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete to-cancel?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('This artifact was deleted.').waitFor();
    expect((await fetch(`${project.trainUrl}/artifacts/to-cancel/`)).status).toBe(404);
  });

  it('downloads every series for TensorBoard through the visualization container', async () => {
    const { page } = browser;
    await page.goto(`${project.url}/#/`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download every series for TensorBoard (zip)' }).click(),
    ]);
    const zip = await readFile((await download.path())!);
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(zip.toString('latin1')).toContain('train/run-one-train/events.out.tfevents.');
  });

  it('fits a narrow window', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 380, height: 800 });
    await page.goto(`${project.url}/#/pipelines/demo`);
    await page.getByText('Showing 1–25 of').waitFor();
    await browser.screenshot('pipeline-narrow');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENSHOTS}doc-narrow.png` });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Project token').waitFor();
    const response = await page.request.get(`${project.url}/pipelines/`);
    expect(response.status()).toBe(401);
  });
});
