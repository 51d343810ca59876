import { Command } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import {
  describeLabel,
  labelArgument,
  servingClient,
  withServingOption,
} from './serving-target.js';

/**
 * `kiln feedback <predictionId> <label>`: the right label of a prediction, by class index or
 * name. A prediction takes one label: the first given stands (a second is refused).
 */
export function createFeedbackCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('feedback')
      .description(
        'give a prediction its right label (a class index 0–9 or a class name); the first label of a prediction stands',
      )
      .argument('<predictionId>', 'the id `kiln predict` printed (`prediction …`)')
      .argument('<label>', 'the right class: its index or its name (quote names with spaces)'),
  ).action(
    async (predictionId: string, label: string, options: { serving: string }, command: Command) => {
      const context = cliContext(command, env);
      const serving = servingClient(context, options.serving);
      const given = await serving.feedback(predictionId, labelArgument(label));
      if (context.out.json) {
        context.out.result(given);
        return;
      }
      const stats = await serving.feedbackStats(given.model);
      context.out.line(describeLabel(given, stats));
    },
  );
}
