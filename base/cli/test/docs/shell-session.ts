import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** What one command of a doc block printed. */
export interface CommandOutput {
  command: string;
  stdout: string;
  stderr: string;
}

/** A free loopback port, for a doc's fixed port (8300) in a test. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
    server.on('error', fail);
  });
}

/**
 * Runs a doc's shell commands one after the other in bash, as a reader would type them: a
 * command ending in `&` is a server left running, and the next command waits until it prints
 * that it listens (a reader waits for that line too). `stop()` ends the servers.
 */
export class ShellSession {
  #cwd: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #servers: ChildProcess[] = [];

  constructor(cwd: string, env: NodeJS.ProcessEnv = {}) {
    this.#cwd = cwd;
    // KILN_* only as the test sets them; Vitest's own variables stay out of nested runs.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith('KILN_') && !key.startsWith('VITEST'),
      ),
    );
    // npx never reaches for the registry: a command that is not installed fails here.
    this.#env = { ...inherited, NO_COLOR: '1', npm_config_offline: 'true', ...env };
  }

  /** Runs each command; rejects with its output when one fails. */
  async run(commands: readonly string[]): Promise<CommandOutput[]> {
    const outputs: CommandOutput[] = [];
    for (const command of commands) {
      // A reader's `cd` holds for the commands after it; each command runs in a bash of its own.
      if (command.startsWith('cd ')) this.#cwd = resolve(this.#cwd, command.slice(3).trim());
      else if (command.endsWith('&')) await this.#startServer(command.slice(0, -1).trim());
      else outputs.push(await this.#exec(command));
    }
    return outputs;
  }

  /**
   * Runs one command a page shows failing; resolves with what it printed and its exit code, and
   * rejects if it succeeds.
   */
  refused(command: string): Promise<CommandOutput & { code: number }> {
    return new Promise((done, fail) => {
      execFile(
        'bash',
        ['-c', command],
        { cwd: this.#cwd, env: this.#env, timeout: 180_000 },
        (error, stdout, stderr) =>
          error && typeof error.code === 'number'
            ? done({ command, stdout, stderr, code: error.code })
            : fail(
                new Error(
                  `${command}\n→ ${error ? error.message : 'succeeded'}\n${stdout}${stderr}`,
                ),
              ),
      );
    });
  }

  /** Runs a block that is a script (variables, functions) in one bash; rejects if it fails. */
  script(code: string): Promise<CommandOutput> {
    return this.#exec(code);
  }

  #exec(command: string): Promise<CommandOutput> {
    return new Promise((done, fail) => {
      execFile(
        'bash',
        ['-c', command],
        { cwd: this.#cwd, env: this.#env, timeout: 180_000, maxBuffer: 64 << 20 },
        (error, stdout, stderr) =>
          error
            ? fail(new Error(`${command}\n→ ${error.message}\n${stdout}${stderr}`))
            : done({ command, stdout, stderr }),
      );
    });
  }

  async #startServer(command: string): Promise<void> {
    // A process group of its own, so that stopping it stops what it started (npm, then node).
    const child = spawn('bash', ['-c', command], {
      cwd: this.#cwd,
      env: this.#env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#servers.push(child);
    let output = '';
    await new Promise<void>((done, fail) => {
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/listening on http/.test(output)) done();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => fail(new Error(`${command}\n→ exited with ${code}\n${output}`)));
    });
  }

  /** Stops every server the commands left running. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#servers.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }),
    );
  }
}
