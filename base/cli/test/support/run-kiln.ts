import { execFile } from 'node:child_process';
// eslint-disable-next-line import-x/no-relative-packages -- the client's test servers are shared test support, not package API
import { KILN_MAIN } from '../../../client/test/support/servers.js';

/** What one `kiln` run printed and how it exited. */
export interface KilnRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `kiln` with `args`. The environment is cleared of KILN_* so each test says
 * what it sets; retries are fast so unreachable servers fail quickly.
 */
export function runKiln(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<KilnRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('KILN_')) delete env[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [KILN_MAIN, ...args],
      { env: { ...env, ...options.env }, cwd: options.cwd, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Checks the house rule for errors: exactly one line on stderr, `kiln: …`, no stack trace. */
export function oneErrorLine(run: KilnRun): string {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  if (lines.length !== 1 || !lines[0]!.startsWith('kiln: ') || /\n\s+at /.test(run.stderr)) {
    throw new Error(`expected one 'kiln: ' line on stderr, got: ${JSON.stringify(run.stderr)}`);
  }
  return lines[0]!;
}

/** The last line on stderr, checked to be a `kiln: …` error with no stack trace before it. */
export function lastErrorLine(run: KilnRun): string {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  if (!lines.at(-1)?.startsWith('kiln: ') || /\n\s+at /.test(run.stderr)) {
    throw new Error(`expected a last 'kiln: ' line on stderr, got: ${JSON.stringify(run.stderr)}`);
  }
  return lines.at(-1)!;
}
