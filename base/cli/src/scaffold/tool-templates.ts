import { jsString, pascalCase, type ScaffoldSpec } from './scaffold-spec.js';

// The tool every scaffold starts from: it greets someone `times` times, and on the way shows
// each part of the build context (progress, a metric, a report, the log, cancellation). It is
// the tool docs/writing-containers.md walks through, and a test holds the two together.

const SCHEMA = `  parameters: {
    type: 'object',
    properties: {
      who: { type: 'string', default: 'world', description: 'Whom to greet' },
      times: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'How often' },
    },
  },`;

const BUILD_BODY = `    const { who, times } = ctx.parameters; // validated, defaults filled in
    const lines = [];
    for (let i = 0; i < times; i += 1) {
      ctx.signal.throwIfAborted(); // stop promptly when cancelled
      lines.push(\`hello \${who}\`);
      ctx.progress((i + 1) / times, \`line \${i + 1}\`);
      ctx.metric('length', lines.join('\\n').length, i);
    }
    await writeFile(join(ctx.outputDir, 'greeting.txt'), \`\${lines.join('\\n')}\\n\`);
    ctx.report('summary', { lines: times });
    ctx.log(\`greeted \${who} \${times} times\`);`;

function header(spec: ScaffoldSpec): string {
  return `  name: '${spec.name}',
  version: '0.1.0', // part of the cache key: bump it when the output changes
  description: ${jsString(spec.description)},
  artifactType: 'text',`;
}

/** `src/tool.ts`: the tool in TypeScript. */
export function toolModuleTs(spec: ScaffoldSpec): string {
  const parameters = `${pascalCase(spec.name)}Parameters`;
  return `import { defineTool } from '@kiln/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ${parameters} {
  who: string;
  times: number;
}

export default defineTool<${parameters}>({
${header(spec)}
${SCHEMA}
  async build(ctx) {
${BUILD_BODY.replace('const lines = [];', 'const lines: string[] = [];')}
  },
});
`;
}

/** `tool.js`: the same tool in JavaScript, served as it is. */
export function toolModuleJs(spec: ScaffoldSpec): string {
  return `import { defineTool } from '@kiln/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export default defineTool({
${header(spec)}
${SCHEMA}
  async build(ctx) {
${BUILD_BODY}
  },
});
`;
}

/** `tool.js` of a Python tool: it only describes the tool; `tool.py` builds. */
export function pythonToolModule(spec: ScaffoldSpec): string {
  return `import { defineTool } from '@kiln/core';

// The builder is tool.py: the mule runs it once per artifact, in this folder, with the
// parameters, inputs and output folder in environment variables (docs/command-builders.md).
export default defineTool({
${header(spec)}
${SCHEMA}
  command: ['python3', 'tool.py'],
});
`;
}

/** `tool.py`: the builder of a Python tool, on the command-builder line protocol. */
export function pythonBuilder(spec: ScaffoldSpec): string {
  return `"""Builds one artifact of the ${spec.name} tool; Kiln's mule runs it once per artifact.

The parameters come in KILN_PARAMETERS_FILE, the data goes into KILN_OUTPUT_DIR, and lines that
start with \`kiln:\` on stdout report progress, metrics, reports and failures; every other line
goes to the artifact's log (docs/command-builders.md).
"""

import json
import os
import sys

with open(os.environ["KILN_PARAMETERS_FILE"], encoding="utf-8") as file:
    parameters = json.load(file)  # validated, defaults filled in
who, times = parameters["who"], parameters["times"]
if not who.strip():
    print("kiln:fail there is nobody to greet", flush=True)
    sys.exit(1)

lines = []
for i in range(times):
    lines.append(f"hello {who}")
    text = "\\n".join(lines)
    print(f"kiln:progress {(i + 1) / times} line {i + 1}", flush=True)
    print(f"kiln:metric length {len(text)} {i}", flush=True)
output = os.path.join(os.environ["KILN_OUTPUT_DIR"], "greeting.txt")
with open(output, "w", encoding="utf-8") as file:
    file.write(text + "\\n")
print("kiln:report summary " + json.dumps({"lines": times}), flush=True)
print(f"greeted {who} {times} times")
`;
}
