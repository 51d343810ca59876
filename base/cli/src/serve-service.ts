/**
 * `kiln serve` as a service of a project: what `kiln up` imports to host
 * `node base/cli/dist/main.js serve <module> [options]` in its own process (package.json,
 * `kiln.services`, maps that command here; see `ServiceContext` in `@kiln/api`). It loads only
 * the serve command, as `kiln serve` in a process of its own does.
 */
import type { ServiceContext, StartedService } from '@kiln/api';
import { CommanderError } from 'commander';
import { createServeCommand, startServe, type ServeCliOptions } from './commands/serve.js';

/** Starts the tool container that `kiln serve <context.argv…>` would; a usage error rejects with its one line. */
export async function startService(context: ServiceContext): Promise<StartedService> {
  let parsed: { modulePath: string; options: ServeCliOptions } | undefined;
  const command = createServeCommand()
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .action((modulePath: string, options: ServeCliOptions) => {
      parsed = { modulePath, options };
    });
  try {
    await command.parseAsync([...context.argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError)
      throw new Error(`kiln serve: ${error.message.replace(/^error: /, '')}`, { cause: error });
    throw error;
  }
  if (!parsed) throw new Error('kiln serve: nothing to serve');
  return startServe(parsed.modulePath, parsed.options, context);
}
