import type { ModelVersionInfo, RetrainPolicy } from '@kiln/client';
import { Command } from 'commander';
import { cliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { formatTime } from '../output/format.js';
import { formatShare, servingClient, withServingOption } from './serving-target.js';

/** What a version's row says after its status: where it came from, or why it failed. */
function note(version: ModelVersionInfo): string {
  if (version.reason) return version.reason;
  if (version.source) return `run ${version.source.run} of ${version.source.pipeline}`;
  return version.artifact;
}

/** A policy in a few words: when the model retrains, and what the gate asks. */
function describePolicy(policy: RetrainPolicy): string {
  if (!policy.enabled || policy.pipeline === null) return 'no automatic retraining';
  const points = Math.abs(policy.margin * 100);
  const margin =
    policy.margin === 0
      ? ''
      : `${policy.margin > 0 ? ' - ' : ' + '}${points.toFixed(points % 1 ? 1 : 0)} pts`;
  return `retrain with ${policy.pipeline} every ${policy.threshold} labels; promote if ${policy.metric} >= champion's${margin}`;
}

/**
 * `kiln models [model]`: the served models (aliases, labels, policy), or one model's versions
 * (with their live accuracy on the labels their predictions received), its policy and labels.
 */
export function createModelsCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('models')
      .description(
        "list the served models with their aliases, labels and retraining policy, or one model's versions with their live accuracy",
      )
      .argument('[model]', 'model name'),
  ).action(async (model: string | undefined, options: { serving: string }, command: Command) => {
    const context = cliContext(command, env);
    const serving = servingClient(context, options.serving);
    if (model === undefined) {
      const models = await serving.models();
      if (context.out.json) {
        context.out.result(models);
        return;
      }
      context.out.table(
        ['MODEL', 'CHAMPION', 'CHALLENGER', 'VERSIONS', 'LABELS', 'UNUSED', 'POLICY'],
        models.map((m) => [
          m.name,
          m.aliases.champion === undefined ? '-' : String(m.aliases.champion),
          m.aliases.challenger === undefined ? '-' : String(m.aliases.challenger),
          String(m.versions),
          String(m.feedback.total),
          String(m.feedback.unused),
          describePolicy(m.policy),
        ]),
        'no models are served yet (register one: kiln register <model> <artifact URL>)',
      );
      return;
    }
    const versions = await serving.versions(model);
    if (context.out.json) {
      context.out.result(versions);
      return;
    }
    context.out.table(
      ['VERSION', 'STATUS', 'ALIASES', 'ACCURACY', 'LIVE', 'P50', 'CREATED', 'FROM / REASON'],
      versions.map((v) => [
        String(v.version),
        v.status,
        v.aliases.join(',') || '-',
        formatShare(v.figures?.accuracy),
        v.feedbackCount > 0 ? `${formatShare(v.feedbackAccuracy)} of ${v.feedbackCount}` : '-',
        v.figures ? `${v.figures.latency.p50Ms.toFixed(2)} ms` : '-',
        formatTime(v.createdAt),
        note(v),
      ]),
      `${model} has no versions`,
    );
    const [policy, stats] = await Promise.all([
      serving.policy(model),
      serving.feedbackStats(model),
    ]);
    context.out.line(`policy: ${describePolicy(policy)}`);
    const running = stats.retraining ? `; retraining now (run ${stats.retraining.run})` : '';
    context.out.line(
      `labels: ${stats.total} (${stats.heldOut} held out), ${stats.pending} of ${stats.threshold} toward the next retraining${running}`,
    );
  });
}
