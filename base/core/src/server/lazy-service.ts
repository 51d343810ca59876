import type { ToolService, ToolServiceOptions } from './tool-service.js';

/**
 * Opens a tool service in this process (see `tool-service.ts`). Loaded on first use for the
 * same reason as `startToolServer`: tool modules import `@kiln/core`'s entry, and the mule
 * that loads them must stay small.
 */
export async function openToolService(options: ToolServiceOptions): Promise<ToolService> {
  const service = await import('./tool-service.js');
  return service.openToolService(options);
}
