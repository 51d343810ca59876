import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FeedbackInfo, FeedbackStats, RetrainPolicy } from '@kiln/api';
import { docBlocks, docExample, shellCommands } from './doc-examples.js';
import { consoleCommands, type ExampleProject } from './example-project.js';
import { ShellSession } from './shell-session.js';

// The examples of docs/feedback.md, in the page's order, on the example project
// docs/example-project.test.ts starts, after the serving pages' examples (./serving-examples.ts):
// the model `fashion-mnist` has four versions then, none labelled. The page labels a prediction
// and an image, refuses a second label, labels two more over HTTP, retrains by hand (a real
// run of the pipeline, judged by the gate), sets the policy, makes a snapshot, and rolls back.

/** What a console block shows after each `$ ` command, line by line. */
async function consoleOutputs(id: string): Promise<string[][]> {
  const outputs: string[][] = [];
  for (const line of (await docExample(id)).code.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) outputs.push([]);
    else outputs.at(-1)!.push(line);
  }
  return outputs;
}

/** A line with what differs from run to run blanked: ids, times, figures, tokens, versions. */
function shape(line: string): string {
  return line
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, 'TIME')
    .replace(/-\d+-[0-9a-f]{6}\b/g, '-N-TOKEN')
    .replace(/(n\/a|[\d.]+%) \(\d+\/\d+\)/g, 'SHARE')
    .replace(/[\d.]+%/g, 'N%')
    .replace(/\bv\d+\b/g, 'vN')
    .replace(/\b(promoted|rejected)\b/g, 'VERDICT')
    .replace(/(>=|<)/g, 'CMP');
}

/** A table's line as its columns. */
function columns(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}

async function json<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

/** Registers the page's suite; `example` gives the running project once it started. */
export function feedbackExamples(example: () => ExampleProject): void {
  const serving = (): string => example().url('serving');
  const stats = (): Promise<FeedbackStats> =>
    json(`${serving()}/feedback/stats?model=fashion-mnist`);

  describe('docs/feedback.md', () => {
    it('feedback-cli: labels a prediction and an image, and refuses a second label', async () => {
      const { shell } = example();
      const commands = await consoleCommands('feedback-cli');
      const shown = await consoleOutputs('feedback-cli');
      const [predicted] = await shell.run([commands[0]!]);
      const id = /^prediction (\S+)$/m.exec(predicted!.stdout)![1]!;
      const documented = /^prediction (\S+)$/m.exec(shown[0]!.join('\n'))![1]!;
      const ours = commands.map((command) => command.replaceAll(documented, id));
      const [given] = await shell.run([ours[1]!]);
      expect(given!.stdout.trimEnd()).toBe(shown[1]![0]!.replaceAll(documented, id));
      // The second label is refused: exit 1, one line on stderr.
      const refused = await shell.script(`${ours[2]!} 2>&1; echo "exit $?"`);
      expect(refused.stdout.trimEnd().split('\n').map(shape)).toEqual([
        shape(shown[2]![0]!),
        'exit 1',
      ]);
      const [labelled] = await shell.run([ours[3]!]);
      expect(labelled!.stdout.trimEnd()).toBe(shown[3]![0]);
      const labels = await json<FeedbackInfo[]>(`${serving()}/feedback?model=fashion-mnist`);
      expect(labels.map((label) => [label.predictionId, label.label])).toEqual([
        [null, 7],
        [id, 7],
      ]);
    });

    it('feedback-curl: a prediction and an image labelled over HTTP, and the stats', async () => {
      const [setId, ...curls] = shellCommands(
        example().onThisProject((await docExample('feedback-curl')).code),
      );
      // The page's first line sets ID for the lines after it, each run in a shell of its own.
      const [printed] = await example().shell.run([`${setId!}; echo $ID`]);
      const session = new ShellSession(example().work, {
        KILN_URL: example().project.url,
        ID: printed!.stdout.trim(),
      });
      const outputs = await session.run(curls);
      const [byId, byImage, figures] = outputs.map(
        (output) => JSON.parse(output.stdout) as Record<string, unknown>,
      );
      expect(byId).toMatchObject({
        predictionId: printed!.stdout.trim(),
        label: 7,
        class: 'Sneaker',
      });
      expect(byImage).toMatchObject({ predictionId: null, label: 7, heldOut: false });
      expect(figures).toEqual({
        model: 'fashion-mnist',
        total: 4,
        unused: 4,
        pending: 4,
        heldOut: 0,
        threshold: 10,
        retraining: null,
      });
      const shown = (await docExampleAfter('feedback-curl')).split('\n').filter(Boolean);
      expect(Object.keys(JSON.parse(shown[0]!) as object).sort()).toEqual(
        Object.keys(byId!).sort(),
      );
      expect(JSON.parse(shown[2]!)).toEqual(figures);
    });

    it('feedback-retrain: a run by hand, judged by the gate; the models with their labels', async () => {
      const commands = await consoleCommands('feedback-retrain');
      const shown = await consoleOutputs('feedback-retrain');
      const [retrained, models] = await example().shell.run(commands);
      expect(shape(retrained!.stdout.trimEnd())).toBe(shape(shown[0]![0]!));
      const [header, row] = models!.stdout.trimEnd().split('\n');
      expect(header).toBe(shown[1]![0]);
      const [name, , , versions, labels, unused, policy] = columns(row!);
      const [, , , documentedVersions, documentedLabels, documentedUnused, documentedPolicy] =
        columns(shown[1]![1]!);
      expect([name, versions, labels, unused, policy]).toEqual([
        'fashion-mnist',
        documentedVersions,
        documentedLabels,
        documentedUnused,
        documentedPolicy,
      ]);
      expect(await stats()).toMatchObject({ total: 4, unused: 0, pending: 0, retraining: null });
    });

    it('feedback-policy: reads the policy, then changes two fields', async () => {
      const code = example().onThisProject((await docExample('feedback-policy')).code);
      const outputs = await example().shell.run(shellCommands(code));
      const [before, after] = outputs.map((output) => JSON.parse(output.stdout) as RetrainPolicy);
      const shown = (await docExampleAfter('feedback-policy'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RetrainPolicy);
      expect([before, after]).toEqual(shown);
      // The page's walkthrough goes on with the default threshold.
      await fetch(`${serving()}/models/fashion-mnist/policy`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ threshold: 10, margin: 0 }),
      });
    });

    it('feedback-snapshot: a snapshot of every label, downloaded as the import container reads it', async () => {
      const { shell, work } = example();
      await shell.run(shellCommands((await docExample('feedback-snapshot')).code));
      for (const file of [
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
        'snapshot.json',
      ])
        await access(join(work, 'labels', file));
      const snapshot = await json<{ train: { count: number } }>(
        `${serving()}/artifacts/fashion-mnist-labels/data/snapshot.json`,
      );
      expect(snapshot.train.count).toBe(4);
    });

    it('feedback-rollback: the champion is version 1 again', async () => {
      const code = (await docExample('feedback-rollback')).code;
      const [moved] = await example().shell.run(shellCommands(code));
      expect(moved!.stdout.trim()).toMatch(/^fashion-mnist: champion is version 1( \(was \d+\))?$/);
      const shown = /# (.*)$/m.exec(code)![1]!;
      expect(shown).toMatch(/^fashion-mnist: champion is version 1 \(was \d+\)$/);
    });
  });
}

/** The `shown:` block right after an example: its sample output. */
async function docExampleAfter(id: string): Promise<string> {
  const blocks = await docBlocks();
  const at = blocks.findIndex((block) => block.id === id);
  const next = blocks[at + 1];
  if (!next?.shown) throw new Error(`no sample follows the example ${id}`);
  return next.code;
}
