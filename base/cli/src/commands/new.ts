import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliEnvironment } from '../cli-environment.js';
import { scaffoldContainer, type ScaffoldResult } from '../scaffold/scaffold-container.js';
import {
  checkContainerName,
  ScaffoldKind,
  ScaffoldLanguage,
  type ScaffoldSpec,
} from '../scaffold/scaffold-spec.js';
import { scaffoldStandalone } from '../scaffold/scaffold-standalone.js';

interface NewCliOptions {
  lang: ScaffoldLanguage;
  description?: string;
  step: string[];
  out?: string;
  install: boolean;
}

const DEFAULT_DESCRIPTION = {
  [ScaffoldKind.Tool]: 'Writes a greeting',
  [ScaffoldKind.Pipeline]: 'Runs its steps in order',
} as const;

function parseName(value: string): string {
  try {
    return checkContainerName(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, parseName(value)];
}

async function scaffold(
  kind: ScaffoldKind,
  name: string,
  options: NewCliOptions,
  env: CliEnvironment,
): Promise<void> {
  const spec: ScaffoldSpec = {
    kind,
    name,
    lang: options.lang,
    description: (options.description ?? DEFAULT_DESCRIPTION[kind]).replace(/\.$/, ''),
    steps: options.step,
  };
  const result: ScaffoldResult = options.out
    ? await scaffoldStandalone(spec, {
        out: options.out,
        install: options.install,
        progress: env.stderr,
      })
    : await scaffoldContainer(spec, {
        cwd: process.cwd(),
        install: options.install,
        progress: env.stderr,
      });
  env.stdout.write(`${result.files.join('\n')}\n`);
}

function newCommand(kind: ScaffoldKind, env: CliEnvironment): Command {
  const command = new Command(kind)
    .argument('<name>', 'the container: its folder, compose service and package', parseName)
    .option('--description <text>', 'what it makes, for its description and README')
    .option('--no-install', 'skip the npm install that registers and builds it');
  if (kind === ScaffoldKind.Tool) {
    command
      .description(
        'write a tool container: module, test, README, Dockerfile, and its docker-compose.yml service',
      )
      .addOption(
        new Option('--lang <lang>', 'the language of its builder')
          .choices(Object.values(ScaffoldLanguage))
          .default(ScaffoldLanguage.TypeScript),
      )
      .option('--out <dir>', 'a project of its own in <dir>, outside any Kiln project');
  } else {
    command
      .description(
        'write a pipeline container on definePipeline, with its docker-compose.yml service',
      )
      .option(
        '--step <container>',
        'a container each run calls, in order (repeatable)',
        collect,
        [] as string[],
      );
  }
  return command.action(async (name: string, options: Partial<NewCliOptions>) => {
    await scaffold(
      kind,
      name,
      {
        lang: options.lang ?? ScaffoldLanguage.TypeScript,
        description: options.description,
        step: options.step ?? [],
        out: options.out,
        install: options.install ?? true,
      },
      env,
    );
  });
}

/**
 * `kiln new tool <name>` and `kiln new pipeline <name>`: a container that builds, lints, tests
 * and serves as it is written. See docs/writing-containers.md.
 */
export function createNewCommand(env: CliEnvironment): Command {
  return new Command('new')
    .description('write a new tool or pipeline container')
    .addCommand(newCommand(ScaffoldKind.Tool, env))
    .addCommand(newCommand(ScaffoldKind.Pipeline, env));
}
