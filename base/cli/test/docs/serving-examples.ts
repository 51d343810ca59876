import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelVersionInfo, StepInfo } from '@kiln/api';
import { Kiln } from '@kiln/client';
import { docExample, shellCommands } from './doc-examples.js';
import { consoleCommands, type ExampleProject } from './example-project.js';
import { writeSneakerJpeg } from './sample-image.js';
import { ShellSession } from './shell-session.js';
import { runTypeScript } from './typescript-module.js';

// The examples of docs/serving.md and of the serving part of docs/cli.md, run in the order the
// pages give them on the example project docs/example-project.test.ts starts. Its serving
// container watches the fashion-mnist pipeline, so the first run the pipeline pages' examples
// completed is version 1; the pages then register versions 2, 3 and 4, promote, and roll back.
// `sneaker.jpg`, the reader's own image, is a sneaker of the bundled test set, as a JPEG.

/** The members of a prediction's answer (the page's JSON sample). */
const PREDICTION_MEMBERS = [
  'class',
  'classes',
  'label',
  'model',
  'predictionId',
  'probabilities',
  'version',
];

/** The first line `kiln predict` prints: the class, its share, the model and version. */
const PREDICTED = /^[\w /-]+ \(\d\) +[\d.]+% +fashion-mnist version (\d+)$/;

async function json<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

/** What a console block shows after each `$ ` command, line by line. */
async function consoleOutputs(id: string): Promise<string[][]> {
  const outputs: string[][] = [];
  for (const line of (await docExample(id)).code.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) outputs.push([]);
    else outputs.at(-1)!.push(line);
  }
  return outputs;
}

/** A table's line as its columns. */
function columns(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}

/** A line with its percentages blanked: a figure a training makes differently on each machine. */
function withoutShares(line: string): string {
  return line.replace(/[\d.]+%/g, 'N%');
}

/**
 * Version 1 of `model` once it settled, registered by the serving container's own watcher:
 * waits for the model's first `version` event when it has none yet, then long-polls.
 */
async function firstVersion(url: string, model: string): Promise<ModelVersionInfo> {
  const serving = Kiln.direct(url).serving();
  const abort = new AbortController();
  let opened: () => void = () => undefined;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const events = serving.events({ signal: abort.signal, onOpen: () => opened() });
  const registered = (async (): Promise<void> => {
    for await (const event of events)
      if (event.type === 'version' && event.version.model === model) return;
  })();
  registered.catch(() => undefined); // ends with the abort below when it is not needed
  try {
    await open;
    if (!(await serving.models()).some((known) => known.name === model)) await registered;
    return await serving.waitForVersion(model, 1, { timeout: 60_000 });
  } finally {
    abort.abort();
  }
}

/** Registers the examples' suites; `example` gives the running project once it started. */
export function servingExamples(example: () => ExampleProject): void {
  /** `$MODEL` of the page: the URL of the second run's model. */
  let model = '';
  const serving = (): string => example().url('serving');

  describe('docs/serving.md', () => {
    it("serves the first completed run's model by itself, as version 1", async () => {
      await writeSneakerJpeg(example().work);
      const version = await firstVersion(serving(), 'fashion-mnist');
      expect(version).toMatchObject({
        version: 1,
        status: 'ready',
        aliases: ['champion'],
        source: { pipeline: 'fashion-mnist' },
      });
    });

    it('serving-register: a second run, registered with the CLI, is version 2', async () => {
      const code = (await docExample('serving-register')).code;
      const { stdout } = await example().shell.script(code);
      const shown = /^# (.*)$/m.exec(code)![1]!;
      expect(withoutShares(stdout.trim().split('\n').at(-1)!)).toBe(withoutShares(shown));
      const pipeline = example().url('fashion-mnist');
      const steps = await json<StepInfo[]>(`${pipeline}/runs/second/steps`);
      model = steps.find((step) => step.step === 'train')!.url;
      // The CLI printed the link behind the gateway, which the gateway turned back into this.
      expect(await json(`${serving()}/models/fashion-mnist/versions/2`)).toMatchObject({
        artifact: model,
        aliases: ['challenger'],
      });
    });

    it('serving-register-curl: the same model over HTTP is version 3, answered once settled', async () => {
      const code = example().onThisProject((await docExample('serving-register-curl')).code);
      const session = new ShellSession(example().work, { MODEL: model });
      const [created, settled] = await session.run(shellCommands(code));
      // Answers through the gateway carry its links: `…/containers/train/artifacts/second-train/`.
      const link = expect.stringMatching(/\/containers\/train\/artifacts\/second-train\/$/);
      expect(JSON.parse(created!.stdout)).toMatchObject({ version: 3, artifact: link });
      expect(JSON.parse(settled!.stdout)).toMatchObject({
        artifact: link,
        version: 3,
        status: 'ready',
        aliases: ['challenger'],
      });
    });

    it('serving-cli: predicts the image as the page shows, and lists the models', async () => {
      const commands = await consoleCommands('serving-cli');
      const [predicted, whole, models, versions] = await example().shell.run(commands);
      const [shown] = await consoleOutputs('serving-cli');
      const lines = predicted!.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(shown!.length);
      expect(PREDICTED.exec(lines[0]!)?.[1]).toBe('1'); // the champion answers
      expect(shown![0]).toMatch(PREDICTED);
      expect(lines.at(-1)).toMatch(/^prediction [0-9a-f-]{36}$/);
      expect(Object.keys(JSON.parse(whole!.stdout) as object).sort()).toEqual(PREDICTION_MEMBERS);
      expect(models!.stdout).toMatch(/^fashion-mnist +1 +3 +3$/m);
      expect(versions!.stdout.trimEnd().split('\n')).toHaveLength(4); // a header, 3 versions
    });

    it('serving-predict-curl, serving-infer-curl: an image file, and OIP tensors', async () => {
      const { shell } = example();
      const onThisProject = (text: string): string => example().onThisProject(text);
      const [image] = await shell.run(
        shellCommands(onThisProject((await docExample('serving-predict-curl')).code)),
      );
      expect(Object.keys(JSON.parse(image!.stdout) as object).sort()).toEqual(PREDICTION_MEMBERS);
      const oip = await shell.script(onThisProject((await docExample('serving-infer-curl')).code));
      expect(JSON.parse(oip.stdout)).toMatchObject({
        model_name: 'fashion-mnist',
        model_version: '1',
        parameters: { prediction_ids: [expect.any(String)] },
        outputs: [{ name: 'probabilities', shape: [1, 10], datatype: 'FP32' }],
      });
    });

    it('serving-sdk: the SDK predicts the image and infers', async () => {
      const folder = await mkdtemp(join(example().work, 'serving-sdk-'));
      await writeSneakerJpeg(folder);
      const code = example().onThisProject((await docExample('serving-sdk')).code);
      const [predicted, id] = (await runTypeScript(folder, code)).trim().split('\n');
      expect(predicted).toMatch(/^[\w /-]+ (0(\.\d+)?|1)$/);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('serving-promote, serving-alias-curl: promotes, rolls back, and points the alias by HTTP', async () => {
      const code = (await docExample('serving-promote')).code;
      const outputs = await example().shell.run(shellCommands(code));
      const shown = [...code.matchAll(/# (?:roll back: )?(.*)$/gm)].map(([, text]) => text);
      expect(outputs.map((output) => output.stdout.trim())).toEqual(shown);
      const [moved] = await example().shell.run(
        shellCommands(example().onThisProject((await docExample('serving-alias-curl')).code)),
      );
      expect(JSON.parse(moved!.stdout)).toMatchObject({ aliases: { champion: 1 } });
    });
  });

  describe('docs/cli.md: serving', () => {
    it('cli-serving: predict, models, promote and register print what the page shows', async () => {
      const commands = (await consoleCommands('cli-serving')).map((command) =>
        command.replace('<model artifact URL>', model),
      );
      const outputs = (await example().shell.run(commands)).map((output) =>
        output.stdout.trimEnd().split('\n'),
      );
      const shown = await consoleOutputs('cli-serving');
      const [predicted, models, versions, promoted, registered] = outputs;
      expect(predicted).toHaveLength(shown[0]!.length);
      expect(PREDICTED.exec(predicted![0]!)?.[1]).toBe('1');
      expect(shown[0]![0]).toMatch(PREDICTED);
      expect(models!.map(columns)).toEqual(shown[1]!.map(columns));
      const rows = (table: string[]): string[][] => table.map((row) => columns(row).slice(0, 3));
      expect(rows(versions!)).toEqual(rows(shown[2]!));
      expect(promoted).toEqual(shown[3]);
      expect(registered!.map(withoutShares)).toEqual(shown[4]!.map(withoutShares));
    });
  });
}
