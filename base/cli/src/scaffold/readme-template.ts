import {
  isCompiled,
  moduleFile,
  ScaffoldKind,
  ScaffoldLanguage,
  type ScaffoldSpec,
} from './scaffold-spec.js';

/** What a README shows besides the container itself. */
export interface ReadmeContext {
  /** The commands that build, test and run it, each with what it does. */
  commands: readonly (readonly [command: string, comment: string])[];
  /** Where the guide to writing containers is: a relative link, or a sentence. */
  guide: string;
}

function files(spec: ScaffoldSpec): string {
  const test = `test/${spec.kind}.test.${isCompiled(spec) ? 'ts' : 'js'}`;
  const module =
    spec.lang === ScaffoldLanguage.TypeScript
      ? `\`src/${spec.kind}.ts\` (compiled into \`${moduleFile(spec)}\`)`
      : spec.lang === ScaffoldLanguage.Python
        ? '`tool.js` (what the tool is) and `tool.py` (its builder)'
        : `\`${moduleFile(spec)}\``;
  return `- ${module}: the ${spec.kind};
- \`${test}\`: serves it on a free port and drives it over HTTP;
- \`Dockerfile\`: its image, built from the repository root.`;
}

function parameters(spec: ScaffoldSpec): string {
  if (spec.kind === ScaffoldKind.Pipeline) {
    const steps =
      spec.steps.length === 0 ? 'none yet' : spec.steps.map((s) => `\`${s}\``).join(', then ');
    return `## Steps

A run calls ${steps}; its data (\`run.json\`) lists the artifact each step made.`;
  }
  return `## Parameters

| parameter | default | meaning                    |
| --------- | ------- | -------------------------- |
| \`who\`     | world   | whom to greet              |
| \`times\`   | 1       | how many lines (1 to 100)  |

The artifact's data is \`greeting.txt\`; its metrics are the series \`length\` and the report
\`summary\`.`;
}

/** Commands with their `# comments` lined up. */
function aligned(commands: ReadmeContext['commands']): string {
  const width = Math.max(...commands.map(([command]) => command.length)) + 1;
  return commands.map(([command, comment]) => `${command.padEnd(width)}# ${comment}`).join('\n');
}

/** `README.md`: what the container is, how to build, test and run it, and its parameters. */
export function readme(spec: ScaffoldSpec, context: ReadmeContext): string {
  return `# ${spec.name}

${spec.description}.

A Kiln ${spec.kind} container, made by \`kiln new ${spec.kind} ${spec.name}\`:

${files(spec)}

## Build, test, run

\`\`\`sh
${aligned(context.commands)}
\`\`\`

${parameters(spec)}

${context.guide}
`;
}
