import { Command, InvalidArgumentError } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { formatShare, parseVersion, servingClient, withServingOption } from './serving-target.js';

function parseTop(value: string): number {
  const top = Number(value);
  if (!Number.isInteger(top) || top < 0) throw new InvalidArgumentError('must be an integer >= 0');
  return top;
}

/** A bar of `width` cells for a share in [0, 1]. */
function bar(share: number, width = 20): string {
  return '█'.repeat(Math.round(Math.max(0, Math.min(1, share)) * width));
}

/** `kiln predict <model> <image>`: classifies one image file (PNG, JPEG or PGM). */
export function createPredictCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('predict')
      .description("classify an image file (PNG, JPEG or PGM, any size) with a model's champion")
      .argument('<model>', 'model name')
      .argument('<image>', 'path of the image file')
      .option('--version <n>', 'ask this loaded version instead of the champion', parseVersion)
      .option('--top <k>', 'how many classes to list with their probabilities', parseTop, 3),
  ).action(
    async (
      model: string,
      image: string,
      options: { version?: number; top: number; serving: string },
      command: Command,
    ) => {
      const context = cliContext(command, env);
      const serving = servingClient(context, options.serving);
      const answer = await serving.predict(model, image, {
        ...(options.version === undefined ? {} : { version: options.version }),
      });
      if (context.out.json) {
        context.out.result(answer);
        return;
      }
      const confidence = answer.probabilities[answer.label] ?? 0;
      context.out.line(
        `${answer.class} (${answer.label})  ${formatShare(confidence)}  ${model} version ${answer.version}`,
      );
      const ranked = answer.probabilities
        .map((probability, label) => ({ probability, label }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, options.top);
      const width = Math.max(0, ...ranked.map((r) => (answer.classes[r.label] ?? '').length));
      for (const { probability, label } of ranked) {
        const name = (answer.classes[label] ?? String(label)).padEnd(width);
        context.out.line(`  ${name}  ${formatShare(probability).padStart(6)}  ${bar(probability)}`);
      }
      context.out.line(`prediction ${answer.predictionId}`);
    },
  );
}
