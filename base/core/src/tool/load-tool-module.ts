import { pathToFileURL } from 'node:url';
import type { ToolDefinition } from './define-tool.js';

/** Imports a tool module and returns its default export, checked to be a tool definition. */
export async function loadToolModule(modulePath: string): Promise<ToolDefinition> {
  const loaded = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  const definition = loaded.default as ToolDefinition | undefined;
  if (
    !definition ||
    typeof definition !== 'object' ||
    typeof definition.name !== 'string' ||
    (typeof definition.build !== 'function' && !Array.isArray(definition.command))
  ) {
    throw new TypeError(`${modulePath} does not default-export defineTool({...})`);
  }
  return definition;
}
