import { ErrorCode, KilnError } from '@kiln/api';
import type { RetrainInfo } from '@kiln/client';
import { Command } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { parseSeconds } from '../input/parse-numbers.js';
import { servingClient, withServingOption } from './serving-target.js';

/** One line on where a retraining run stands, or how it ended. */
function describeRetrain(run: RetrainInfo): string {
  const head = `${run.model}: retraining run ${run.id} (${run.run} of ${run.pipeline})`;
  // The verdict's reason starts with the verdict (`promoted: accuracy 91.2% >= …`).
  if (run.verdict && !run.reason) return `${head} ${run.verdict.reason}`;
  if (run.reason) return `${head} ${run.status}: ${run.reason}`;
  return `${head} ${run.status}, ${run.labels} new labels, ${run.trained} to train on`;
}

/**
 * `kiln retrain <model>`: starts a retraining run by hand with the labels no run counted yet,
 * whatever the threshold; `--wait` follows it to the gate's verdict.
 */
export function createRetrainCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('retrain')
      .description(
        "retrain a model now on its new labels with its policy's pipeline; the new model is judged by the gate (promoted or rejected)",
      )
      .argument('<model>', 'model name')
      .option('--wait', "wait for the gate's verdict")
      .option('--timeout <seconds>', 'give up waiting after this long', parseSeconds),
  ).action(
    async (
      model: string,
      options: { wait?: boolean; timeout?: number; serving: string },
      command: Command,
    ) => {
      const context = cliContext(command, env);
      const serving = servingClient(context, options.serving);
      const started = await serving.retrain(model);
      if (!options.wait) {
        if (context.out.json) context.out.result(started);
        else context.out.line(describeRetrain(started));
        return;
      }
      let last = '';
      const done = await serving.waitForRetrain(model, started.id, {
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        onProgress: (run) => {
          if (!context.out.progress || run.status === last) return;
          last = run.status;
          context.out.progressLine(describeRetrain(run));
        },
      });
      if (context.out.json) context.out.result(done);
      // A run that failed or was cancelled fails the command, as a failed build does.
      if (done.status === 'failed' || done.status === 'cancelled') {
        throw new KilnError(ErrorCode.BuildFailed, describeRetrain(done), { status: 409 });
      }
      if (!context.out.json) context.out.line(describeRetrain(done));
    },
  );
}
