import { Command } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import {
  describeLabel,
  labelArgument,
  servingClient,
  withServingOption,
} from './serving-target.js';

/** `kiln label <model> <image> <label>`: a labelled example that was never predicted. */
export function createLabelCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('label')
      .description(
        'give a model a labelled example it never predicted: an image file (PNG, JPEG or PGM) and its class',
      )
      .argument('<model>', 'model name')
      .argument('<image>', 'path of the image file')
      .argument('<label>', 'its class: an index or a name (quote names with spaces)'),
  ).action(
    async (
      model: string,
      image: string,
      label: string,
      options: { serving: string },
      command: Command,
    ) => {
      const context = cliContext(command, env);
      const serving = servingClient(context, options.serving);
      const given = await serving.label(model, image, labelArgument(label));
      if (context.out.json) {
        context.out.result(given);
        return;
      }
      context.out.line(describeLabel(given, await serving.feedbackStats(model)));
    },
  );
}
