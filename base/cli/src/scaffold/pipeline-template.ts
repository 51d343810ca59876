import { jsString, type ScaffoldSpec } from './scaffold-spec.js';

/** The `containers` entries: each step's container, as the data it makes. */
function containerEntries(steps: readonly string[]): string {
  if (steps.length === 0) return '  containers: {},';
  const entries = steps.map((step) => `    ${objectKey(step)}: { category: 'data' },`).join('\n');
  return `  containers: {\n${entries}\n  },`;
}

/** A property name as Prettier writes it: bare when it can be, else quoted. */
function objectKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
}

/** The body of `run(p)`: each step in order, the previous step's artifact at hand. */
function runBody(steps: readonly string[]): string {
  if (steps.length === 0) {
    return `    p.log('no steps yet: call p.step(container, parameters) for each');
    return {}; // the run's headline figures`;
  }
  const calls = steps.map((step) => `    await p.step('${step}', {});`).join('\n');
  return `    // Each step builds an artifact on its container and waits for it. Its result passed among
    // the next step's parameters becomes that artifact's URL (a kiln-artifact reference).
${calls}
    return {}; // the run's headline figures`;
}

/** `src/pipeline.ts`: a pipeline that runs its steps in order, on `definePipeline`. */
export function pipelineModule(spec: ScaffoldSpec): string {
  const purpose =
    spec.steps.length === 0 ? 'Runs its steps in order' : `Runs ${spec.steps.join(', then ')}`;
  return `import { definePipeline } from '@kiln/pipeline';

export default definePipeline({
  name: '${spec.name}',
  description: ${jsString(spec.description)},
  task: {
    name: 'org.example.${spec.name}', // reverse-domain notation
    description: ${jsString(purpose)},
    output: 'The artifacts of its steps, listed in the run data',
    constraints: 'None',
    archives: 'None',
    evaluation_criterias: 'Every step completes',
    cost_function: 'None',
    evaluation_dataset: 'None',
  },
  // The containers run(p) calls, by their service names in docker-compose.yml: the pipeline
  // reaches each through the project's topology, under npm start, Docker and Kubernetes alike.
${containerEntries(spec.steps)}
  expectedSteps: ${Math.max(1, spec.steps.length)},
  parameters: { type: 'object', properties: {} },
  async run(p) {
${runBody(spec.steps)}
  },
});
`;
}
