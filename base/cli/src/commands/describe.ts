import type { JsonSchema, ToolDescription } from '@kiln/client';
import { Command } from 'commander';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { formatTable } from '../output/table.js';

/** `kiln describe <container>`: what a container makes and the parameters it takes. */
export function createDescribeCommand(env: CliEnvironment): Command {
  return new Command('describe')
    .description('show what a container makes, its parameters and its input files')
    .argument('<container>', 'container name (through the gateway) or URL')
    .action(async (container: string, _options: unknown, command: Command) => {
      const context = cliContext(command, env);
      const { description } = await openContainer(context, container);
      if (context.out.json) context.out.result(description);
      else context.out.line(describeText(description));
    });
}

/** The human description of a container. */
function describeText(description: ToolDescription): string {
  const lines = [
    `${description.name} ${description.version} (${description.kind}): ${description.description}`,
    `makes: ${description.artifactType}`,
    '',
  ];
  const properties = (description.parameters['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = (description.parameters['required'] ?? []) as string[];
  const rows = Object.entries(properties).map(([name, schema]) => [
    name,
    typeText(schema),
    schema['default'] === undefined
      ? required.includes(name)
        ? 'required'
        : '-'
      : JSON.stringify(schema['default']),
    String(schema['description'] ?? ''),
  ]);
  lines.push(
    rows.length === 0
      ? 'parameters: none'
      : `parameters:\n${indent(formatTable(['NAME', 'TYPE', 'DEFAULT', 'DESCRIPTION'], rows))}`,
  );
  const files = description.inputFiles.map((file) => [
    file.name,
    file.required ? 'required' : 'optional',
    file.description,
  ]);
  lines.push(
    files.length === 0
      ? 'input files: none'
      : `input files:\n${indent(formatTable(['NAME', 'REQUIRED', 'DESCRIPTION'], files))}`,
  );
  return lines.join('\n');
}

function typeText(schema: JsonSchema): string {
  if (schema['format'] === 'kiln-artifact') return 'artifact URL';
  if (Array.isArray(schema['enum']))
    return (schema['enum'] as unknown[]).map((v) => JSON.stringify(v)).join('|');
  const type = schema['type'];
  const base = Array.isArray(type) ? type.join('|') : String(type ?? 'any');
  const bounds = [
    schema['minimum'] === undefined ? '' : `>=${String(schema['minimum'])}`,
    schema['maximum'] === undefined ? '' : `<=${String(schema['maximum'])}`,
  ].filter(Boolean);
  return bounds.length ? `${base} ${bounds.join(' ')}` : base;
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
