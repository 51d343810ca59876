import { dockerfile } from './dockerfile-template.js';
import { moduleDependency, packageJson, tsconfigJson } from './manifest-templates.js';
import { pipelineModule } from './pipeline-template.js';
import { relativePath, runtimeClosure, type ProjectLayout } from './project-layout.js';
import { readme } from './readme-template.js';
import { isCompiled, ScaffoldKind, ScaffoldLanguage, type ScaffoldSpec } from './scaffold-spec.js';
import { pipelineTest, toolTest } from './test-templates.js';
import { pythonBuilder, pythonToolModule, toolModuleJs, toolModuleTs } from './tool-templates.js';

/** Path inside the container's folder → content. */
export type FileSet = Record<string, string>;

/** The module (and a Python tool's builder) in the container's language. */
export function moduleFiles(spec: ScaffoldSpec): FileSet {
  if (spec.kind === ScaffoldKind.Pipeline) return { 'src/pipeline.ts': pipelineModule(spec) };
  if (spec.lang === ScaffoldLanguage.TypeScript) return { 'src/tool.ts': toolModuleTs(spec) };
  if (spec.lang === ScaffoldLanguage.JavaScript) return { 'tool.js': toolModuleJs(spec) };
  return { 'tool.js': pythonToolModule(spec), 'tool.py': pythonBuilder(spec) };
}

function readmeCommands(spec: ScaffoldSpec): [string, string][] {
  // A pipeline's services name no others, so `kiln up` starts the steps only when told to.
  const up: [string, string] =
    spec.kind === ScaffoldKind.Pipeline && spec.steps.length > 0
      ? [
          `npx kiln up ${[spec.name, ...spec.steps].join(' ')}`,
          'it and its steps, as local processes',
        ]
      : [`npx kiln up ${spec.name}`, 'this container alone, as a local process'];
  return [
    ...(isCompiled(spec)
      ? [['npm run build', 'compiles src/ into dist/'] as [string, string]]
      : []),
    [`npx vitest run containers/${spec.name}`, 'its test'],
    up,
    ['npm start', 'the whole project, this container in it'],
  ];
}

/**
 * Every file of a new container inside a Kiln project. `stepModules` gives, for a pipeline, the
 * module each step's service serves (relative to the project root).
 */
export function containerFiles(
  spec: ScaffoldSpec,
  layout: ProjectLayout,
  stepModules: ReadonlyMap<string, string>,
): FileSet {
  const folder = `containers/${spec.name}`;
  const dependencies = runtimeClosure(layout, [moduleDependency(spec)]);
  const testFolder = `${folder}/test`;
  const files: FileSet = {
    'package.json': packageJson(spec),
    ...moduleFiles(spec),
    'README.md': readme(spec, {
      commands: readmeCommands(spec),
      guide: 'See [writing containers](../../docs/writing-containers.md) for the whole story.',
    }),
    Dockerfile: dockerfile(spec, [
      ...runtimeClosure(layout, [moduleDependency(spec), '@kiln/cli']),
      folder,
    ]),
  };
  if (isCompiled(spec))
    files['tsconfig.json'] = tsconfigJson(dependencies.map((dep) => relativePath(folder, dep)));
  if (spec.kind === ScaffoldKind.Pipeline) {
    const modules = new Map(
      [...stepModules].map(([step, module]) => [step, relativePath(testFolder, module)]),
    );
    files['test/pipeline.test.ts'] = pipelineTest(spec, modules);
  } else {
    files[`test/tool.test.${isCompiled(spec) ? 'ts' : 'js'}`] = toolTest(spec);
  }
  return files;
}
