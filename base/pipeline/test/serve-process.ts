import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../base/cli/dist/main.js', import.meta.url));
const LISTENING = /listening on (http:\/\/\S+)/;

/** A container served by `kiln serve` in its own process. */
export interface ServedProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (its server log). */
  stderr(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
}

/** Serves a module with the real CLI on a free loopback port and waits for its URL. */
export async function serveModule(
  modulePath: string,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServedProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', modulePath, '--port', '0', '--data', dataDir],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = LISTENING.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kiln serve exited with ${code}: ${err}`)));
  });
  const exited = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = once(child, 'exit');
    child.kill(signal);
    await done;
  };
  return {
    url,
    child,
    stderr: () => err,
    stop: () => exited('SIGTERM'),
    kill: () => exited('SIGKILL'),
  };
}
