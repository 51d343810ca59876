import { Kiln, isKilnApiError, type ServingClient, type ServingEvent } from '@kiln/client';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServingServer, type RunningServingServer } from '../dist/index.js';
import { buildTinyModels, type TinyModels } from './support/tiny-models.js';

// The SDK (`@kiln/client`) and the `kiln` command line against a real serving container, both
// directly and through the real gateway (its own process).
const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

let models: TinyModels;
let serving: RunningServingServer;
let gateway: ChildProcess;
let gatewayUrl: string;
let root: string;
let image: string;

beforeAll(async () => {
  models = await buildTinyModels(2);
  root = await mkdtemp(join(tmpdir(), 'kiln-serving-cli-'));
  serving = await startServingServer({ dataDir: join(root, 'data'), port: 0, benchmarkRuns: 10 });
  image = join(root, 'sneaker.png');
  await writeFile(
    image,
    await sharp({ create: { width: 90, height: 60, channels: 3, background: '#c0c0c0' } })
      .png()
      .toBuffer(),
  );
  gateway = spawn(process.execPath, [repo('containers/gateway/dist/main.js')], {
    env: { ...process.env, PORT: '0', KILN_SERVICE_ADDRESSES: `serving=${serving.url}` },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  gatewayUrl = await new Promise<string>((resolve, reject) => {
    let text = '';
    gateway.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /gateway listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${text}`)));
  });
}, 120_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = once(gateway, 'exit');
    gateway.kill('SIGTERM');
    await exited;
  }
  await serving?.close();
  await models?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

interface KilnRun {
  code: number;
  stdout: string;
  stderr: string;
}

function kiln(...args: string[]): Promise<KilnRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('KILN_')) delete env[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [repo('base/cli/dist/main.js'), ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('the SDK', () => {
  let client: ServingClient;

  beforeAll(() => {
    client = Kiln.direct(serving.url).serving();
  });

  it('registers, waits, lists, predicts, infers and promotes', async () => {
    const created = await client.register('fashion', {
      artifact: models.models[0]!,
      evaluation: models.evaluation,
    });
    expect(created).toMatchObject({ version: 1, status: 'loading' });
    const ready = await client.waitForVersion('fashion', 1, { timeout: 60_000 });
    expect(ready).toMatchObject({ status: 'ready', aliases: ['champion'] });
    expect(await client.models()).toEqual([
      { name: 'fashion', aliases: { champion: 1 }, versions: 1, policy: null },
    ]);
    expect((await client.describe()).models).toEqual(['fashion']);
    const fromFile = await client.predict('fashion', image);
    const fromBytes = await client.predict(
      'fashion',
      new Uint8Array(await sharp(image).toBuffer()),
    );
    expect(fromBytes.probabilities).toEqual(fromFile.probabilities);
    expect(fromFile.class).toBe(fromFile.classes[fromFile.label]);
    const inferred = await client.infer('fashion', {
      inputs: [
        { name: 'images', shape: [1, 784], datatype: 'UINT8', data: new Array(784).fill(9) },
      ],
    });
    expect(inferred.parameters.prediction_ids).toHaveLength(1);
    expect((await client.metadata('fashion')).inputs[0]).toMatchObject({ name: 'images' });
    expect(await client.ready('fashion')).toBe(true);
    const recent = await client.predictions({ model: 'fashion', limit: 2 });
    expect(recent.map((p) => p.id)).toEqual([
      inferred.parameters.prediction_ids[0],
      fromBytes.predictionId,
    ]);
    expect((await client.prediction(fromFile.predictionId)).probabilities).toHaveLength(10);
    const png = await client.predictionInput(fromFile.predictionId);
    expect((await sharp(png).metadata()).width).toBe(28);

    await client.register('fashion', { artifact: models.models[1]! });
    expect((await client.waitForVersion('fashion', 2)).aliases).toEqual(['challenger']);
    expect(await client.ready('fashion', { version: 2 })).toBe(true);
    const seen: ServingEvent[] = [];
    const abort = new AbortController();
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const watching = (async () => {
      for await (const event of client.events({ signal: abort.signal, onOpen: () => opened() })) {
        seen.push(event);
        if (event.type === 'alias' && event.alias.alias === 'champion') abort.abort();
      }
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) throw error;
    });
    await open;
    const promoted = await client.promote('fashion', 2);
    expect(promoted.aliases).toEqual({ champion: 2 });
    await watching;
    expect(seen.find((e) => e.type === 'alias')).toMatchObject({
      alias: { alias: 'champion', version: 2, previous: 1 },
    });
  });

  it('reaches the serving container through the gateway, and reports problems as KilnApiError', async () => {
    const through = new Kiln(gatewayUrl).serving();
    expect((await through.models())[0]).toMatchObject({ name: 'fashion' });
    expect((await through.predict('fashion', image)).version).toBe(2);
    const error = await through.predict('nope', image).catch((e: unknown) => e);
    expect(isKilnApiError(error) && error.code).toBe('MODEL_NOT_FOUND');
    const timeout = await client.version('fashion', 99).catch((e: unknown) => e);
    expect(isKilnApiError(timeout) && timeout.status).toBe(404);
  });
});

describe('the kiln command line', () => {
  it('lists models and versions, predicts, promotes, registers', async () => {
    const target = ['--url', gatewayUrl];
    const list = await kiln('models', ...target);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^MODEL\s+CHAMPION\s+CHALLENGER\s+VERSIONS\nfashion\s+2\s+-\s+2\n$/,
    );
    const versions = await kiln('models', 'fashion', ...target);
    expect(versions.stdout.split('\n')[0]).toMatch(
      /^VERSION\s+STATUS\s+ALIASES\s+ACCURACY\s+P50\s+CREATED\s+FROM/,
    );
    expect(versions.stdout).toMatch(/\n2\s+ready\s+champion\s+[\d.]+%\s+[\d.]+ ms/);
    expect(versions.stdout).toMatch(/\n1\s+retired\s+-\s+/);
    const predicted = await kiln('predict', 'fashion', image, ...target);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(predicted.stdout).toMatch(
      /^\S.* \(\d\)\s+[\d.]+%\s+fashion version 2\n( {2}.+\n){3}prediction [0-9a-f-]{36}\n$/,
    );
    const json = await kiln('predict', 'fashion', image, '--json', '--version', '2', ...target);
    expect(JSON.parse(json.stdout)).toMatchObject({ model: 'fashion', version: 2 });
    const rollback = await kiln('promote', 'fashion', '1', ...target);
    expect(rollback.stdout).toBe('fashion: champion is version 1 (was 2)\n');
    const direct = await kiln(
      'register',
      'fashion',
      models.models[1]!,
      '--serving',
      serving.url,
      '--wait',
    );
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/^fashion: version 3 ready \(challenger\), accuracy [\d.]+%\n$/);
  });

  it('says what went wrong in one line', async () => {
    const unknown = await kiln('predict', 'nope', image, '--serving', serving.url);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("kiln: no model named 'nope' (404)\n");
    const notAnImage = await kiln(
      'predict',
      'fashion',
      fileURLToPath(import.meta.url),
      '--serving',
      serving.url,
    );
    expect(notAnImage.stderr).toMatch(
      /^kiln: the file is not an image \(send a PNG, JPEG or PGM file\) \(400\)\n$/,
    );
    const badVersion = await kiln('promote', 'fashion', 'two');
    expect(badVersion.code).toBe(2);
    const broken = await kiln(
      'register',
      'fashion',
      await models.broken('no-metadata'),
      '--serving',
      serving.url,
      '--wait',
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/kiln: fashion: version 4 failed: .*userDefinedMetadata\.kiln/);
  });
});
