import { SILENT_LOGGER } from '@kiln/core';
import { loadTopology } from '@kiln/topology';
import {
  artifactUrl,
  buildArtifact,
  startTool,
  tinyImages,
  writeTinyFashionMnist,
  type ToolHandle,
} from '@kiln/fashion-mnist/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../dist/index.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { listen } from '../helpers/listen.js';
import { stopChild } from '../helpers/test-project.js';

// The Serving pages against the real serving container (its own process) behind the real
// gateway, serving two versions trained by the real containers on tiny synthetic data. The
// project names it `classifier` and has a second, empty serving container before it: the
// dashboard finds both by the kind they tell, not by a name.
const repo = (path: string): string =>
  fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

let root: string;
const tools: ToolHandle[] = [];
let serving: ChildProcess;
let servingUrl: string;
let shadow: ChildProcess;
let gateway: ChildProcess;
let gatewayUrl: string;
let dashboard: Server;
let browser: TestBrowser;
let imageFile: string;

/** The test project's compose file: the gateway, the dashboard and two serving containers. */
const SERVING_PROJECT_COMPOSE = `name: serving-ui-test
services:
  gateway: { image: kiln/gateway, x-kiln: { role: gateway } }
  dashboard: { image: kiln/dashboard, x-kiln: { role: dashboard } }
  shadow: { image: kiln/serving }
  classifier: { image: kiln/serving }
`;

/** Starts a process and resolves with the URL it prints (`listening on http://…`). */
function spawnListening(
  main: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${main} exited with ${code}: ${output}`)));
  });
}

async function register(artifact: string, evaluation?: string): Promise<void> {
  const created = await fetch(`${servingUrl}/models/fashion/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ artifact, ...(evaluation ? { evaluation } : {}) }),
  });
  const { version } = (await created.json()) as { version: number };
  for (;;) {
    const info = (await (
      await fetch(`${servingUrl}/models/fashion/versions/${version}?wait=30`)
    ).json()) as { status: string };
    if (info.status !== 'loading') return;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiln-serving-ui-'));
  await writeTinyFashionMnist(join(root, 'idx'), { train: 200, test: 50 });
  const names = ['import', 'process', 'export', 'split', 'train'];
  for (const name of names) tools.push(await startTool(repo(`containers/${name}/dist/tool.js`)));
  const [importer, process_, exporter, splitter, trainer] = tools as [
    ToolHandle,
    ToolHandle,
    ToolHandle,
    ToolHandle,
    ToolHandle,
  ];
  await buildArtifact(importer.url, 'raw', { source: 'path', path: join(root, 'idx') });
  await buildArtifact(process_.url, 'unit', { dataset: artifactUrl(importer.url, 'raw') });
  await buildArtifact(exporter.url, 'tensors', { dataset: artifactUrl(process_.url, 'unit') });
  await buildArtifact(splitter.url, 'split', { dataset: artifactUrl(exporter.url, 'tensors') });
  for (const seed of [1, 2]) {
    await buildArtifact(trainer.url, `model-${seed}`, {
      dataset: artifactUrl(splitter.url, 'split'),
      hiddenUnits: [16],
      epochs: 2,
      learningRate: 0.01,
      seed,
      backend: 'wasm',
    });
  }
  ({ child: serving, url: servingUrl } = await spawnListening(
    repo('containers/serving/dist/main.js'),
    {
      DATA_DIR: join(root, 'serving'),
    },
  ));
  await register(artifactUrl(trainer.url, 'model-1'), artifactUrl(exporter.url, 'tensors'));
  await register(artifactUrl(trainer.url, 'model-2'));
  // The project as its compose file declares it, each service where this test started it.
  const composeFile = join(root, 'docker-compose.yml');
  await writeFile(composeFile, SERVING_PROJECT_COMPOSE);
  let shadowUrl: string;
  ({ child: shadow, url: shadowUrl } = await spawnListening(
    repo('containers/serving/dist/main.js'),
    { DATA_DIR: join(root, 'shadow') },
  ));
  const addresses: Record<string, string> = { shadow: shadowUrl, classifier: servingUrl };
  dashboard = createServer(
    createApp({
      topology: await loadTopology({ composeFile, addresses: { ...addresses } }),
      logger: SILENT_LOGGER,
    }),
  );
  addresses['dashboard'] = await listen(dashboard);
  ({ child: gateway, url: gatewayUrl } = await spawnListening(
    repo('containers/gateway/dist/main.js'),
    {
      KILN_COMPOSE_FILE: composeFile,
      KILN_SERVICE_ADDRESSES: Object.entries(addresses)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
    },
  ));
  // A bright square on noise, as the tiny dataset draws its class 7, as a PNG file.
  const { images } = tinyImages(8, 28, 5);
  const { default: sharp } = await import('sharp');
  imageFile = join(root, 'sneaker.png');
  await writeFile(
    imageFile,
    await sharp(Buffer.from(images.subarray(7 * 784, 8 * 784)), {
      raw: { width: 28, height: 28, channels: 1 },
    })
      .resize(112, 112)
      .png()
      .toBuffer(),
  );
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopChild(gateway);
  await stopChild(serving);
  await stopChild(shadow);
  if (dashboard) {
    dashboard.closeAllConnections();
    await new Promise((resolve) => dashboard.close(resolve));
  }
  for (const tool of tools) await tool.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the Serving pages', () => {
  it('lists the served models and opens one with its versions and figures', async () => {
    const { page } = browser;
    await page.goto(gatewayUrl);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Models' })
      .click();
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    await page
      .getByRole('region', { name: 'Served by shadow' })
      .getByText('No model is served yet')
      .waitFor();
    await page
      .getByRole('region', { name: 'Served by classifier' })
      .getByRole('link', { name: 'fashion' })
      .click();
    expect(page.url()).toMatch(/#\/serving\/fashion\?container=classifier$/);
    await page.getByRole('heading', { name: 'fashion' }).waitFor();
    const versions = page.locator('kiln-version-table');
    await versions.getByRole('row', { name: /v1 .*ready.*champion/ }).waitFor();
    await versions.getByRole('row', { name: /v2 .*ready.*challenger/ }).waitFor();
    await versions.getByRole('button', { name: 'Promote v2' }).waitFor();
    // A link that names no container finds the one that serves the model.
    await page.goto(`${gatewayUrl}/#/serving/fashion`);
    await page.waitForFunction(() => !location.hash.includes('container='));
    await versions.getByRole('row', { name: /v2 .*ready.*challenger/ }).waitFor();
    expect(await versions.getByRole('row', { name: /v1/ }).textContent()).toMatch(/\d+\.\d%/);
    await browser.part('doc-serving-versions', page.locator('kiln-serving-page section').nth(1));
  });

  it('predicts a dropped image file and a drawing, showing every probability', async () => {
    const { page } = browser;
    const tryIt = page.locator('kiln-try-it');
    await tryIt.getByLabel('Image file').setInputFiles(imageFile);
    await tryIt.locator('.verdict', { hasText: /by version\s+1/ }).waitFor();
    await expect(
      tryIt.getByRole('list', { name: 'Probabilities' }).getByRole('listitem').count(),
    ).resolves.toBe(10);
    const fromFile = await tryIt.locator('.result code').innerText();
    const canvas = tryIt.locator('canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.2, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await tryIt.getByRole('button', { name: 'Predict the drawing' }).click();
    await expect
      .poll(() => tryIt.locator('.result code').innerText(), { timeout: 20_000 })
      .not.toBe(fromFile);
    const predictions = (await (
      await fetch(`${servingUrl}/predictions?model=fashion&limit=2`)
    ).json()) as { source: string }[];
    expect(predictions.map((p) => p.source)).toEqual(['image', 'image']);
    await browser.part('doc-serving-try-it', page.locator('kiln-serving-page section').nth(2));
  });

  it('promotes with a confirmation, shows the switch live, and rolls back', async () => {
    const { page } = browser;
    const versions = page.locator('kiln-version-table');
    await versions.getByRole('button', { name: 'Promote v2' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote version 2?' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await versions.getByRole('row', { name: /v1 .*champion/ }).waitFor();
    await versions.getByRole('button', { name: 'Promote v2' }).click();
    await page
      .getByRole('dialog', { name: 'Promote version 2?' })
      .getByRole('button', { name: 'Promote' })
      .click();
    await versions.getByRole('row', { name: /v2 .*ready.*champion/ }).waitFor();
    await page.getByText('Champion: v2').waitFor();
    await browser.screenshot('serving');
    await page.getByRole('button', { name: 'Roll back to v1' }).first().click();
    await page
      .getByRole('dialog', { name: 'Roll back to version 1?' })
      .getByRole('button', { name: 'Roll back' })
      .click();
    await versions.getByRole('row', { name: /v1 .*ready.*champion/ }).waitFor();
    await versions.getByRole('row', { name: /v2 .*retired/ }).waitFor();
    // A switch made elsewhere (the CLI, the SDK) shows without a reload.
    const moved = await fetch(`${servingUrl}/models/fashion/aliases/champion`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 2 }),
    });
    expect(moved.status).toBe(200);
    await page.getByText('Champion: v2').waitFor();
    await browser.part('doc-serving-aliases', page.locator('kiln-serving-page section').first());
  });
});
