import type { ModelVersionInfo } from '@kiln/client';
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

/** `kiln models [model]`: the served models, or one model's versions. */
export function createModelsCommand(env: CliEnvironment): Command {
  return withServingOption(
    new Command('models')
      .description("list the served models with their aliases, or one model's versions")
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
        ['MODEL', 'CHAMPION', 'CHALLENGER', 'VERSIONS'],
        models.map((m) => [
          m.name,
          m.aliases.champion === undefined ? '-' : String(m.aliases.champion),
          m.aliases.challenger === undefined ? '-' : String(m.aliases.challenger),
          String(m.versions),
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
      ['VERSION', 'STATUS', 'ALIASES', 'ACCURACY', 'P50', 'CREATED', 'FROM / REASON'],
      versions.map((v) => [
        String(v.version),
        v.status,
        v.aliases.join(',') || '-',
        formatShare(v.figures?.accuracy),
        v.figures ? `${v.figures.latency.p50Ms.toFixed(2)} ms` : '-',
        formatTime(v.createdAt),
        note(v),
      ]),
      `${model} has no versions`,
    );
  });
}
