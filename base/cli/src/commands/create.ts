import type { ArtifactSummary, PipelineClient, ToolClient, ToolDescription } from '@kiln/client';
import { Command } from 'commander';
import { cliContext, openContainer, type CliContext } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { usageError } from '../cli-error.js';
import { checkInputFiles, collectFile } from '../input/parse-files.js';
import { parseSeconds } from '../input/parse-numbers.js';
import { buildParameters, collectParam, type RawParam } from '../input/parse-parameters.js';
import { describeState } from '../output/format.js';
import { transferProgress } from '../progress/transfer-progress.js';
import { reportFinal, waitWithProgress } from '../wait-reporting.js';

/** Options shared by `create` and `run`. */
export interface CreateCliOptions {
  param?: RawParam[];
  paramsFile?: string;
  file?: Record<string, string>;
  cache?: boolean;
  wait?: boolean;
  timeout?: number;
}

/** Adds the parameter options `create` and `run` share. */
export function withParameterOptions(command: Command): Command {
  return command
    .option(
      '-p, --param <key=value>',
      'a parameter (repeatable; typed by the schema, JSON for non-strings; a.b=v nests)',
      collectParam,
    )
    .option('--params-file <file>', 'a JSON file of parameters (--param values override it)')
    .option('--cache', 'reuse a completed artifact with the same parameters and inputs')
    .option('-w, --wait', 'wait until it is built, showing progress; exit 1 unless it completes')
    .option('--timeout <seconds>', 'with --wait: give up after this long', parseSeconds);
}

/** `kiln create <container> [name]`: creates an artifact, optionally waiting for it. */
export function createCreateCommand(env: CliEnvironment): Command {
  return withParameterOptions(
    new Command('create')
      .description('create an artifact on a container (prints its name)')
      .argument('<container>', 'container name (through the gateway) or URL')
      .argument('[name]', 'artifact name (the container picks one if left out)'),
  )
    .option('-f, --file <input=path>', 'an input file (repeatable)', collectFile)
    .action(
      async (
        container: string,
        name: string | undefined,
        options: CreateCliOptions,
        command: Command,
      ) => {
        const context = cliContext(command, env);
        if (options.timeout !== undefined && !options.wait)
          throw usageError('--timeout needs --wait');
        const { client, description, label } = await openContainer(context, container);
        const summary = await createFromOptions(context, client, description, label, name, options);
        if (!options.wait) {
          reportCreated(context, summary);
          return;
        }
        const where = `${label}/${summary.name}`;
        if (context.out.progress && !context.out.bars)
          context.out.progressLine(`${where}: created (${describeState(summary)})`);
        const final = await waitWithProgress(context, client, summary.name, where, options.timeout);
        reportFinal(context, where, final, final.name);
      },
    );
}

/** Prints a new artifact: its name alone (for `$(kiln create …)`), or its summary with `--json`. */
export function reportCreated(context: CliContext, summary: ArtifactSummary): void {
  if (context.out.json) context.out.result(summary);
  else context.out.line(summary.name);
}

/** Creates an artifact from the command line's parameters and files, showing upload progress. */
export async function createFromOptions(
  context: CliContext,
  client: ToolClient | PipelineClient,
  description: ToolDescription,
  label: string,
  name: string | undefined,
  options: CreateCliOptions,
): Promise<ArtifactSummary> {
  const files = options.file ?? {};
  checkInputFiles(files, description.inputFiles);
  const parameters = await buildParameters(
    description.parameters,
    options.param ?? [],
    options.paramsFile,
  );
  const upload =
    Object.keys(files).length > 0 ? transferProgress(context.out, `${label}: upload`) : undefined;
  let summary: ArtifactSummary;
  try {
    summary = await client.create({
      ...(name === undefined ? {} : { name }),
      parameters,
      ...(Object.keys(files).length > 0 ? { files } : {}),
      ...(options.cache ? { cache: true } : {}),
      ...(upload ? { onUploadProgress: (p) => upload.update(p.transferred, p.total) } : {}),
    });
  } catch (error) {
    upload?.stop(true);
    throw error;
  }
  upload?.stop();
  return summary;
}
