import { afterEach, describe, expect, it } from 'vitest';
import { create, startServer, waitFinal } from './helpers.js';

// How a command builder fails (docs/command-builders.md, "Ending"): with its own message through
// `kiln:fail`, or with its exit code; either way its log ends with the command's own output and
// one line from Kiln, never a stack trace of the runner.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function failedBuild(
  parameters: Record<string, unknown>,
): Promise<{ error: string | null; log: string }> {
  const server = await startServer('command-tool.mjs');
  cleanups.push(() => server.stop());
  await create(server.url, { name: 'a', parameters });
  const summary = await waitFinal(server.url, 'a');
  expect(summary.status).toBe('failed');
  const log = await (await fetch(`${server.url}/artifacts/a/log`)).text();
  return { error: summary.error, log };
}

/** The lines Kiln itself added to a build's log. */
function kilnLines(log: string): string[] {
  return log.split('\n').filter((line) => line.startsWith('kiln:'));
}

describe('a failing command builder', () => {
  it('fails with the message of its kiln:fail line, even when it exits 0', async () => {
    const { error, log } = await failedBuild({ failWith: 'the input has no rows' });
    expect(error).toBe('the input has no rows');
    expect(log).toContain('parameters: {');
    expect(log).toContain('to stderr');
    expect(kilnLines(log)).toEqual(['kiln: build failed: the input has no rows']);
    expect(log).not.toMatch(/^\s+at /m);
  });

  it('keeps its kiln:fail message over its exit code', async () => {
    const { error } = await failedBuild({ failWith: 'out of memory', exitCode: 2 });
    expect(error).toBe('out of memory');
  });

  it('without a message, fails with its exit code and no stack trace in the log', async () => {
    const { error, log } = await failedBuild({ exitCode: 3 });
    expect(error).toBe('command exited with code 3');
    expect(kilnLines(log)).toEqual(['kiln: build failed: command exited with code 3']);
    expect(log).not.toMatch(/^\s+at /m);
    expect(log).not.toContain('command-runner');
  });
});
