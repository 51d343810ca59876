import type { Collection, ContainerKind, InputFileSpec, JsonSchema } from '@kiln/api';
import type { Router } from 'express';
import type { RouteSpec } from '../http/route-spec.js';
import type { BuildContext } from './build-context.js';
import type { ServerHookContext } from './server-hook-context.js';

/**
 * What a tool module declares. A module whose default export is `defineTool({...})` becomes a
 * tool container with `kiln serve <module>`.
 *
 * Keep the module's top level cheap: the server process imports it to read this description,
 * and the mule imports it once to build. Import heavy libraries (TensorFlow.js) inside `build`.
 *
 * @example
 * ```ts
 * export default defineTool({
 *   name: 'greeting', version: '1.0.0', description: 'Writes a greeting',
 *   artifactType: 'text',
 *   parameters: { type: 'object', properties: { who: { type: 'string', default: 'world' } } },
 *   async build(ctx) {
 *     await writeFile(join(ctx.outputDir, 'hello.txt'), `hello ${ctx.parameters.who}\n`);
 *   },
 * });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tools read ctx.parameters.x without casts
export interface ToolDefinition<P = Record<string, any>> {
  /** The tool's name, shown in `GET /` and used for generated artifact names. */
  name: string;
  /** Part of the cache key: bump it when the build's output changes. */
  version: string;
  description: string;
  /** What kind of artifact this tool makes (`dataset`, `model`, `benchmark`, …). */
  artifactType: string;
  /** JSON Schema 2020-12 of the parameters; `additionalProperties` defaults to false. */
  parameters?: JsonSchema;
  /** Files accepted on create as multipart parts. */
  inputFiles?: InputFileSpec[];
  /** Builds one artifact in the mule. Exactly one of `build` and `command` is given. */
  build?: (ctx: BuildContext<P>) => Promise<void> | void;
  /**
   * An executable and its arguments, run by the mule with the command-builder contract
   * (docs/command-builders.md) instead of `build`.
   */
  command?: string[];
  /**
   * A build that runs longer is stopped like a cancel and fails ("the build timed out after N ms").
   * @defaultValue no limit
   */
  timeoutMs?: number;
  /**
   * `tool` for ordinary tools; `pipeline` for pipeline containers (set by `definePipeline`).
   * @defaultValue 'tool'
   */
  kind?: ContainerKind;
  /**
   * The collection path: `artifacts` for tools, `runs` for pipelines.
   * @defaultValue 'artifacts'
   */
  collection?: Collection;
  /**
   * Extra routes, in the server process (never in the mule), mounted before the artifact API.
   * Return them as {@link RouteSpec}s: each is served, answers 405 to other methods, and is
   * described in `/openapi.json` (pipelines serve `/task`, `/containers`, `/artifacts` and
   * `/runs/{name}/steps` this way). Routes added to `router` directly are served but left out
   * of the OpenAPI document.
   */
  routes?: (router: Router, ctx: ServerHookContext) => readonly RouteSpec[] | void;
}

/**
 * Declares a tool. Checks the definition's shape at once, so a mistake shows when the module
 * loads rather than at the first build.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tools read ctx.parameters.x without casts
export function defineTool<P = Record<string, any>>(
  definition: ToolDefinition<P>,
): ToolDefinition<P> {
  const problems: string[] = [];
  for (const key of ['name', 'version', 'description', 'artifactType'] as const) {
    if (typeof definition[key] !== 'string' || definition[key].length === 0) {
      problems.push(`'${key}' must be a non-empty string`);
    }
  }
  const hasBuild = typeof definition.build === 'function';
  const hasCommand = Array.isArray(definition.command) && definition.command.length > 0;
  if (hasBuild === hasCommand) problems.push("give exactly one of 'build' and 'command'");
  if (definition.parameters !== undefined && definition.parameters['type'] !== 'object') {
    problems.push("'parameters' must be a JSON Schema with type 'object'");
  }
  if (problems.length > 0) {
    throw new TypeError(`invalid tool definition: ${problems.join('; ')}`);
  }
  return definition;
}
